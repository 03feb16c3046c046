// bnlab gradcheck through the built CLI on real CIFAR-10 (the subset, else the committed fixture): passes with and without batch
// norm, reproduces exactly what the engine computes on independently sliced data, fails (exit 1)
// above its threshold, and never falls back to synthetic data when the data set is missing.
import { Ajv } from 'ajv';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gradcheck } from '@bnlab/engine';
import { describe, expect, it } from 'vitest';
import { prepareDataset } from '../packages/pipeline/src/data/index.js';
import { cifar10Dir as subset } from './helpers/cifar10.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bnlab = path.join(repo, 'packages/pipeline/bin/bnlab.js');
const validate = new Ajv({ allErrors: true, strict: true }).compile(
  JSON.parse(readFileSync(path.join(repo, 'packages/pipeline/schemas/gradcheck.schema.json'), 'utf8')),
);
const run = (args: string[], env: Record<string, string> = {}) =>
  execa('node', [bnlab, 'gradcheck', '--dir', subset, ...args], { cwd: repo, reject: false, env });

describe('bnlab gradcheck', () => {
  it.each([
    [['--hidden', '50,50'], ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']],
    [['--hidden', '50,50', '--batch-norm'], ['W1', 'gamma1', 'beta1', 'W2', 'gamma2', 'beta2', 'W3', 'b3']],
    [['--hidden', '50,30,20,20,10,10,10,10', '--batch-norm'], [
      ...[1, 2, 3, 4, 5, 6, 7, 8].flatMap((l) => [`W${l}`, `gamma${l}`, `beta${l}`]), 'W9', 'b9',
    ]],
    // batch norm after the ReLU keeps every bias; dropout's masks are held fixed
    [['--hidden', '50,50', '--batch-norm', '--bn-placement', 'after'], ['W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2', 'gamma2', 'beta2', 'W3', 'b3']],
    [['--hidden', '20,20,10', '--batch-norm', '--bn-placement', 'after', '--samples', '10', '--lambda', '0'], [
      ...[1, 2, 3].flatMap((l) => [`W${l}`, `b${l}`, `gamma${l}`, `beta${l}`]), 'W4', 'b4',
    ]],
    [['--hidden', '50,50', '--dropout', '0.5'], ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']],
    [['--hidden', '30,20,10', '--dropout', '0.5', '--batch-norm', '--samples', '8'], [
      ...[1, 2, 3].flatMap((l) => [`W${l}`, `gamma${l}`, `beta${l}`]), 'W4', 'b4',
    ]],
  ])('%j passes below 1e-6 on the real data, every parameter of every layer', async (args, names) => {
    const r = await run([...args, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
    expect(out.checks.map((c: { parameter: string; layer: number }) => `${c.parameter}${c.layer}`)).toEqual(names);
    for (const c of out.checks) expect(c.relativeError, `${c.parameter}${c.layer} rel err ${c.relativeError}`).toBeLessThan(1e-6);
    expect(out.passed).toBe(true);
  });

  it('checks the first --dims dimensions of the first --samples training images (same numbers as the engine on data sliced here)', async () => {
    const r = await run(['--hidden', '8', '--batch-norm', '--dims', '7', '--samples', '5', '--seed', '3', '--lambda', '0.01', '--json']);
    const p = await prepareDataset({ dataset: 'cifar10', dir: subset, workspaceRoot: repo, env: {}, cacheDir: null });
    const x: number[] = [];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 7; j++) x.push(p.train.x[i * 3072 + j]);
    const direct = gradcheck({ x, y: Array.from(p.train.y.subarray(0, 5)), n: 5, d: 7, K: 10, hidden: [8], batchNorm: true, lambda: 0.01, seed: 3 });
    expect(JSON.parse(r.stdout).checks).toEqual(direct.checks);
  });

  it('prints a table and exits 1 when an error exceeds the threshold', async () => {
    const table = await run(['--hidden', '10']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^parameter layer {2}rel\. error\nW {13}1 /);
    expect(table.stdout).toContain('passed: max');
    const failing = await run(['--hidden', '10', '--threshold', '1e-14', '--json']);
    expect(failing.exitCode).toBe(1);
    const out = JSON.parse(failing.stdout);
    expect(validate(out)).toBe(true);
    expect(out).toMatchObject({ passed: false, threshold: 1e-14 });
    expect(failing.stderr).toMatch(/^bnlab: gradient check failed: W1 rel err \d\.\de-\d+/);
  });

  it('a missing data set is an error, never a silent fallback; --synthetic is explicit', async () => {
    const missing = path.join(repo, 'data', 'no-such-cifar');
    const r = await execa('node', [bnlab, 'gradcheck', '--dir', missing, '--json'], {
      cwd: repo, reject: false, env: { BNLAB_CIFAR10_URL: 'http://127.0.0.1:9/cifar-10-binary.tar.gz' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    // A --dir that does not exist is a typo until shown otherwise: an error naming it, no download.
    expect(r.stderr).toContain(`the directory ${missing} (--dir / data.dir) does not exist`);
    expect(existsSync(missing)).toBe(false);
    const s = await execa('node', [bnlab, 'gradcheck', '--synthetic', '--batch-norm', '--json'], { cwd: repo });
    expect(JSON.parse(s.stdout).passed).toBe(true);
  });

  it('rejects a float32 kernel and bad flags in one line', async () => {
    for (const [args, message] of [
      [['--kernel', 'ts-f32'], 'needs a float64 kernel'],
      [['--kernel', 'cuda'], "--kernel: 'cuda' is not available here"],
      [['--dims', '0'], "--dims: '0' must be an integer ≥ 1"],
      [['--dims', '4000'], '--dims 4000 exceeds the 3072 dimensions of cifar10'],
      [['--hidden', '50,x'], "--hidden: 'x' in '50,x' is not a positive integer"],
    ] as const) {
      const r = await run([...args]);
      expect(r.exitCode, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
    }
  });
});
