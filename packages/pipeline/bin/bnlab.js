#!/usr/bin/env node
// Committed shim: npm links bins before `prepare` builds dist/, so the link must point at a file that exists.
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`bnlab: ${err && err.message ? err.message : err}`); process.exitCode = 1; },
);
