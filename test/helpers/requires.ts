// The one rule for tests that need a Debian package a fresh machine may lack: they run when it is
// installed, skip with one line saying what to install otherwise, and run anyway under CI=true
// (.ci/run installs the package there, so its absence must fail the test, not hide it).
export function requires(debianPackage: string, installed: boolean): boolean {
  if (installed || process.env.CI === 'true') return true;
  console.warn(`skipped: needs ${debianPackage} (apt-get install ${debianPackage})`);
  return false;
}
