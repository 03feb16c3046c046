// bnlab gc in a workspace holding the committed default study (its results and the workspace's trial
// store, which also holds fashion-mnist's records): it removes exactly the trial records no declared
// profile uses (a stray record, the records of a profile no longer declared) and the prepared data no
// profile loads, says how much, keeps what it cannot prove unused (with a line why), and --dry-run
// removes nothing. The study file declares the default and fashion-mnist profiles only: smoke, which
// has no results here, would keep the whole store (its trials cannot be known).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_FIXTURE } from './helpers/cifar10.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
let ws: string;
const bnlab = (args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, [bin, ...args], { cwd: ws, reject: false, env: { BNLAB_WORKSPACE: ws, BNLAB_CIFAR10_DIR: '', NX_TASK_TARGET_CONFIGURATION: '', ...env } });
const records = () => {
  const dir = path.join(ws, 'results', 'trials');
  return existsSync(dir) ? readdirSync(dir).flatMap((d) => readdirSync(path.join(dir, d))).length : 0;
};
// The committed records only (a developer's own smoke runs add untracked ones to the same store).
const committedPaths = execFileSync('git', ['ls-files', 'results/trials'], { cwd: repo, encoding: 'utf8' }).trim().split('\n');
const committed = committedPaths.map((p) => path.basename(p));
/** The published study file without the smoke profile (the last one, after fashion-mnist's). */
const withoutSmoke = (text: string) => text.replace(/\n  # Tiny:[\s\S]*?\n(?=  # The same study on Fashion-MNIST)/, '\n');

describe('bnlab gc', () => {
  const stray = path.join('results/trials/00', `${'0'.repeat(63)}1.json`);
  const gone = path.join('results/trials/ab', `ab${'c'.repeat(62)}.json`);
  const fake = path.join('.bnlab/data', 'f'.repeat(64));

  beforeAll(() => {
    ws = mkdtempSync(path.join(tmpdir(), 'bnlab-gc-'));
    writeFileSync(path.join(ws, 'experiments.yaml'), withoutSmoke(readFileSync(path.join(repo, 'experiments.yaml'), 'utf8')));
    for (const d of ['default', 'fashion-mnist']) cpSync(path.join(repo, 'results', d), path.join(ws, 'results', d), { recursive: true });
    for (const p of committedPaths) cpSync(path.join(repo, p), path.join(ws, p));
    const one = path.join(repo, 'results/trials', committed[0].slice(0, 2), committed[0]);
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
    expect(records()).toBe(committed.length);
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
    expect(records()).toBe(committed.length);
  });
});
