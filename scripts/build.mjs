// Builds everything `npm ci` must leave ready: WebAssembly kernels (when their sources exist), then TypeScript.
// Run by the root `prepare` script, so a fresh clone works after `npm ci` alone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const steps = [];
const wasm = path.join(root, 'packages/engine/scripts/build-wasm.mjs');
if (existsSync(wasm)) steps.push([process.execPath, [wasm]]);
steps.push([process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.json']]);

for (const [cmd, args] of steps) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${path.relative(root, args[0])} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}
