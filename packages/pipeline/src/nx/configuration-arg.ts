// Nx 23 runs `nx run pipeline:<stage> -c nope` with the default configuration (and serves it from
// the default's cache), so the task never learns what was asked. The plugin's preTasksExecution hook
// sees Nx's argv: these pure functions find the requested configuration there.

/** The configuration asked for on an Nx command line (-c X, --configuration[=]X, project:target:X), if any. */
export function requestedConfiguration(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = /^(?:-c|--configuration)=(.+)$/.exec(a);
    if (eq) return eq[1];
    if ((a === '-c' || a === '--configuration') && i + 1 < argv.length) return argv[i + 1];
  }
  for (const a of argv) {
    const m = /^pipeline:[^:\s]+:([^:\s]+)$/.exec(a);
    if (m) return m[1];
  }
  return undefined;
}

/** Whether the command names the pipeline project (pipeline:<target>, `nx <target> pipeline`, --projects …pipeline…). */
export function mentionsPipeline(argv: readonly string[]): boolean {
  return argv.some((a, i) => {
    if (a === 'pipeline' || a.startsWith('pipeline:')) return true;
    const list = /^(?:--projects|-p)=(.+)$/.exec(a)?.[1] ?? ((a === '--projects' || a === '-p') ? argv[i + 1] : undefined);
    return list !== undefined && list.split(',').includes('pipeline');
  });
}
