// A throwaway copy of the workspace for tests that run real `nx` commands: nx.json, package.json,
// experiments.yaml, the build script and the packages (sources and built dist/), with node_modules
// linked to the checkout's. Each copy has its own Nx cache (.nx/ inside it) and results/.
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const repo = fileURLToPath(new URL('../..', import.meta.url));

export function copyWorkspace(prefix = 'bnlab-nx-'): string {
  const ws = mkdtempSync(path.join(tmpdir(), prefix));
  const files = ['nx.json', 'package.json', 'experiments.yaml', '.gitignore', 'tsconfig.json', 'tsconfig.base.json'];
  for (const f of files) cpSync(path.join(repo, f), path.join(ws, f), { preserveTimestamps: true });
  // Timestamps kept, so the `compile` target's incremental build (tsc -b) finds dist/ up to date.
  for (const dir of ['packages', 'scripts']) {
    cpSync(path.join(repo, dir), path.join(ws, dir), {
      recursive: true,
      preserveTimestamps: true,
      filter: (src) => path.basename(src) !== 'node_modules' && path.basename(src) !== '.nx',
    });
  }
  symlinkSync(path.join(repo, 'node_modules'), path.join(ws, 'node_modules'));
  // packages/pipeline has its own node_modules (yaml 2, where the root has yaml 1 for another tool).
  symlinkSync(path.join(repo, 'packages/pipeline/node_modules'), path.join(ws, 'packages/pipeline/node_modules'));
  return ws;
}

export function removeWorkspace(ws: string): void {
  rmSync(ws, { recursive: true, force: true });
}

/** `npx nx …` in `ws`, no daemon, plain output; never rejects (tests read exitCode and output). */
export function nx(ws: string, args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [path.join(repo, 'node_modules/nx/dist/bin/nx.js'), ...args, '--outputStyle=static'], {
    cwd: ws,
    reject: false,
    all: true,
    env: {
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      FORCE_COLOR: '0',
      NX_TASK_TARGET_CONFIGURATION: '',
      BNLAB_WORKSPACE: '',
      ...env,
    },
  });
}

/** Task ids Nx took from its cache, and those it ran, from the static output ("> nx run pipeline:coarse:smoke  [local cache]"). */
export function tasks(output: string): { cached: string[]; ran: string[] } {
  const cached: string[] = [];
  const ran: string[] = [];
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  for (const m of plain.matchAll(/^> nx run (\S+)(.*)$/gm)) {
    if (m[2].includes('cache]')) cached.push(m[1]);
    else ran.push(m[1]);
  }
  return { cached, ran };
}
