// bnlab gc in a workspace holding the committed default study (its results and 320 trial records):
// it removes exactly the trial records no declared profile uses (a stray record in the default store,
// the store of a profile no longer declared) and the prepared data no profile loads, says how much,
// keeps what it cannot prove unused (with a line why), and --dry-run removes nothing.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_FIXTURE } from './helpers/cifar10.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
let ws: string;
const bnlab = (args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, [bin, ...args], { cwd: ws, reject: false, env: { BNLAB_WORKSPACE: ws, BNLAB_CIFAR10_DIR: '', NX_TASK_TARGET_CONFIGURATION: '', ...env } });
const records = (profile: string) => {
  const dir = path.join(ws, 'results', profile, 'trials');
  return existsSync(dir) ? readdirSync(dir).flatMap((d) => readdirSync(path.join(dir, d))).length : 0;
};
const committed = readdirSync(path.join(repo, 'results/default/trials')).flatMap((d) => readdirSync(path.join(repo, 'results/default/trials', d)));

describe('bnlab gc', () => {
  const stray = path.join('results/default/trials/00', `${'0'.repeat(63)}1.json`);
  const gone = path.join('results/gone/trials/ab', `ab${'c'.repeat(62)}.json`);
  const fake = path.join('.bnlab/data', 'f'.repeat(64));

  beforeAll(() => {
    ws = mkdtempSync(path.join(tmpdir(), 'bnlab-gc-'));
    cpSync(path.join(repo, 'experiments.yaml'), path.join(ws, 'experiments.yaml'));
    cpSync(path.join(repo, 'results/default'), path.join(ws, 'results/default'), { recursive: true });
    const one = path.join(repo, 'results/default/trials', committed[0].slice(0, 2), committed[0]);
    for (const f of [stray, gone]) {
      mkdirSync(path.dirname(path.join(ws, f)), { recursive: true });
      cpSync(one, path.join(ws, f));
    }
    mkdirSync(path.join(ws, fake), { recursive: true });
    writeFileSync(path.join(ws, fake, 'header.json'), JSON.stringify({ dataset: 'cifar10' }));
    writeFileSync(path.join(ws, fake, 'data.bin'), Buffer.alloc(5000));
  });
  afterAll(() => rmSync(ws, { recursive: true, force: true }));

  it('--dry-run says what would go and how much, and removes nothing', async () => {
    const r = await bnlab(['gc', '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    const bytes = statSync(path.join(ws, stray)).size + statSync(path.join(ws, gone)).size;
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`gc: would remove 0 prepared data entries (0 B) and 2 trial records (${(bytes / 1000).toFixed(1)} kB) no declared study uses`);
    // No CIFAR-10 here: which cifar10 entry a profile loads is unknowable, so every one is kept.
    expect(lines).toContain('  kept: .bnlab/data: kept every cifar10 entry, its files are not here to tell which one a profile uses');
    expect(existsSync(path.join(ws, stray)) && existsSync(path.join(ws, gone)) && existsSync(path.join(ws, fake))).toBe(true);
  });

  it('removes exactly the unused records; every committed record a profile uses stays', async () => {
    const r = await bnlab(['gc', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.removed).toBe(true);
    expect(out.trials.map((t: { path: string }) => t.path).sort()).toEqual([gone, stray].sort());
    expect(out.data).toEqual([]);
    expect(existsSync(path.join(ws, stray)) || existsSync(path.join(ws, gone))).toBe(false);
    expect(existsSync(path.join(ws, 'results/gone/trials/ab'))).toBe(false); // the emptied directory too
    expect(records('default')).toBe(committed.length);
    expect(records('gone')).toBe(0);
  });

  it('with CIFAR-10 here: keeps the entry a profile loads, removes the one nobody does', async () => {
    const env = { BNLAB_CIFAR10_DIR: CIFAR10_FIXTURE };
    const prepared = await bnlab(['data', '--json'], env); // the default profile's 'main' preparation (validation 10 %)
    expect(prepared.exitCode, prepared.stderr).toBe(0);
    const entries = () => readdirSync(path.join(ws, '.bnlab/data')).filter((e) => /^[0-9a-f]{64}$/.test(e)).sort();
    const [real] = entries().filter((e) => e !== 'f'.repeat(64));
    const r = await bnlab(['gc'], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^gc: removed 1 prepared data entry \(5\.\d kB\) and 0 trial records \(0 B\) no declared study uses$/m);
    expect(entries()).toEqual([real]);
    expect(records('default')).toBe(committed.length);
  });
});
