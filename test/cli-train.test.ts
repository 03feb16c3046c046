// bnlab train and bnlab eval through the built CLI on real CIFAR-10 (the subset, else the committed
// fixture), with small settings:
// --json against its schema, determinism, divergence as a result, --save then eval (same figures as
// training reported, and an accuracy recomputed here by an independent forward pass in float64).
import { Ajv } from 'ajv';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserializeModel } from '@bnlab/engine';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataset } from '../packages/pipeline/src/data/index.js';
import { cifar10Dir as subset, cifar10Records } from './helpers/cifar10.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const n = cifar10Records();
const TRAIN = n.train - Math.round(n.train / 10); // the default split keeps the last 10 % for validation
const bnlab = path.join(repo, 'packages/pipeline/bin/bnlab.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'bnlab-train-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const schema = (name: string) =>
  new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(path.join(repo, `packages/pipeline/schemas/${name}.schema.json`), 'utf8')));
const validateTrain = schema('train');
const validateEval = schema('eval');
const cli = (args: string[]) => execa('node', [bnlab, ...args], { cwd: repo, reject: false });
// Small: a [20] net, n_s = 20 updates, one cycle (40 updates).
const small = ['--dir', subset, '--hidden', '20', '--ns', '20', '--cycles', '1', '--seed', '3'];

describe('bnlab train', () => {
  it('--json matches its schema; the history has the start plus 10 points per cycle; it learns', async () => {
    const r = await cli(['train', ...small, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(validateTrain(out), JSON.stringify(validateTrain.errors)).toBe(true);
    expect(out.history.map((h: { update: number }) => h.update)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
    expect(out.history[5].eta).toBeCloseTo(0.1, 12); // the peak of the cycle at n_s
    expect(out.config).toMatchObject({ hidden: [20], batchNorm: false, init: { kind: 'he' }, lambda: 0.005, batch: 100, ns: 20, cycles: 1, seed: 3, dataset: 'cifar10' });
    expect(out.diverged).toBe(false);
    expect(out.engine).toMatch(/^bnlab-engine\/\d+\+/);
    // 40 updates lift training accuracy well above chance (10 %) and the loss below its start.
    expect(out.accuracy.train).toBeGreaterThan(0.2);
    expect(out.history.at(-1).loss.train).toBeLessThan(out.history[0].loss.train);
    // Progress went to stderr as plain lines (not a TTY), never to stdout.
    expect(r.stderr).toContain('training 100%');
  });

  it('same seed → the same bytes; another seed → other numbers; --ns-epochs sets n_s = k·⌊n/batch⌋', async () => {
    const args = ['train', '--dir', subset, '--hidden', '10', '--batch-norm', '--ns', '10', '--cycles', '1', '--json'];
    const [a, b, c] = await Promise.all([cli([...args, '--seed', '5']), cli([...args, '--seed', '5']), cli([...args, '--seed', '6'])]);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(c.stdout).accuracy).not.toEqual(JSON.parse(a.stdout).accuracy);
    const epochs = await cli(['train', '--dir', subset, '--hidden', '10', '--ns-epochs', '1', '--cycles', '1', '--batch', '70', '--sigma', '0.001', '--json']);
    const out = JSON.parse(epochs.stdout);
    expect(out.config.ns).toBe(Math.floor(TRAIN / 70));
    expect(out.config.init).toEqual({ kind: 'normal', sigma: 0.001 });
  });

  it('--threads changes the speed, never the numbers: 1 and 3 threads print the same bytes', async () => {
    // [50] with batch 100: the first layer's 100·50·3072 products are split between the threads
    const args = ['train', '--dir', subset, '--hidden', '50', '--batch-norm', '--ns', '15', '--cycles', '1', '--seed', '2', '--json'];
    const [one, three] = await Promise.all([cli([...args, '--threads', '1']), cli([...args, '--threads', '3'])]);
    expect(one.exitCode, one.stderr).toBe(0);
    expect(three.exitCode, three.stderr).toBe(0);
    expect(three.stdout).toBe(one.stdout);
  });

  it('every training option at once: 1 and 2 threads print the same bytes, and the options are in the config', async () => {
    const args = [
      'train', '--dir', subset, '--hidden', '50,30', '--batch-norm', '--ns', '15', '--cycles', '1', '--seed', '4', '--json',
      '--bn-placement', 'after', '--dropout', '0.3', '--jitter-flip', '--jitter-shift', '3', '--jitter-brightness', '0.1', '--jitter-contrast', '0.2',
    ];
    const [one, two] = await Promise.all([cli([...args, '--threads', '1']), cli([...args, '--threads', '2'])]);
    expect(one.exitCode, one.stderr).toBe(0);
    expect(two.exitCode, two.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    const out = JSON.parse(one.stdout);
    expect(validateTrain(out), JSON.stringify(validateTrain.errors)).toBe(true);
    expect(out.config).toMatchObject({ bnPlacement: 'after', dropout: 0.3, jitterFlip: true, jitterShift: 3, jitterBrightness: 0.1, jitterContrast: 0.2 });
    expect(out.diverged).toBe(false);
  });

  it('a diverging run reports diverged: true with finite figures, exit code 0', async () => {
    const r = await cli(['train', ...small, '--eta-min', '10', '--eta-max', '10', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(validateTrain(out)).toBe(true);
    expect(out.diverged).toBe(true);
    for (const v of [...Object.values(out.cost), ...Object.values(out.accuracy)]) expect(Number.isFinite(v)).toBe(true);
  });

  it.each([
    [['--ns', '5', '--ns-epochs', '2'], '--ns and --ns-epochs exclude each other'],
    [['--init', 'he', '--sigma', '0.1'], '--init and --sigma exclude each other'],
    [['--init', 'xavier'], "--init: 'xavier' is not an initialisation"],
    [['--sigma=-1'], '--sigma: -1 must be positive'],
    [['--kernel', 'gpu'], "--kernel: 'gpu' is not available here (known: ts-f64, ts-f32"],
    [['--batch', '5000'], `--batch 5000 is larger than the ${TRAIN} training images`],
    [['--threads', '0'], "--threads: '0' must be an integer ≥ 1"],
    [['--threads', '65'], "--threads: '65' must be at most 64"],
    [['--kernel', 'ts-f32', '--threads', '2'], "--threads: kernel 'ts-f32' computes on one thread"],
    [['--lambda=-1'], '--lambda: -1 must be ≥ 0 (L2 regularisation'],
    [['--lambda', '-1'], '--lambda: -1 must be ≥ 0'],
    [['--eta-max', '1e4'], '--eta-max: 1e4 must be ≤ 10'],
    [['--dropout', '1'], '--dropout: 1 must be < 1 (inverted dropout'],
    [['--dropout', '-0.1'], '--dropout: -0.1 must be ≥ 0'],
    [['--jitter-shift', '-2'], '--jitter-shift: -2 must be ≥ 0'],
    [['--jitter-shift', '1.5'], '--jitter-shift: 1.5 must be an integer'],
    [['--bn-placement', 'sideways', '--batch-norm'], "--bn-placement: 'sideways' must be one of before, after"],
    [['--bn-placement', 'after'], '--bn-placement: after needs --batch-norm'],
  ])('bad input %j: one line, exit 1', async (args, message) => {
    const r = await cli(['train', '--dir', subset, ...args]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
  });
});

describe('bnlab train --save, bnlab eval', () => {
  const model = path.join(tmp, 'net.bnlab');

  it('eval of the saved network gives the test figures training reported, bit for bit', async () => {
    const t = await cli(['train', ...small, '--hidden', '30', '--batch-norm', '--save', model, '--json']);
    expect(t.exitCode, t.stderr).toBe(0);
    const trained = JSON.parse(t.stdout);
    const e = await cli(['eval', '--model', model, '--dir', subset, '--json']);
    expect(e.exitCode, e.stderr).toBe(0);
    const out = JSON.parse(e.stdout);
    expect(validateEval(out), JSON.stringify(validateEval.errors)).toBe(true);
    expect(out).toMatchObject({ model, dataset: 'cifar10', n: n.test, engine: trained.engine });
    expect([out.accuracy, out.cost, out.loss]).toEqual([trained.accuracy.test, trained.cost.test, trained.loss.test]);
  });

  it('the saved parameters, moving averages and normalisation give the same accuracy in an independent float64 forward pass', async () => {
    const m = deserializeModel(readFileSync(model));
    const extra = m.extra as { normalisation: { mean: number[]; std: number[] }; config: { eps: number } };
    const t = (name: string, layer: number) => m.tensors.find((x) => x.name === name && x.layer === layer)!.data;
    const p = await prepareDataset({ dataset: 'cifar10', dir: subset, workspaceRoot: repo, env: {}, cacheDir: null });
    expect(extra.normalisation.mean).toEqual(Array.from(p.mean));
    // Re-standardise the raw test pixels ourselves with the saved statistics.
    const raw = readFileSync(path.join(subset, 'test_batch.bin'));
    const { mean, std } = extra.normalisation;
    let correct = 0;
    for (let i = 0; i < n.test; i++) {
      const x = Array.from({ length: 3072 }, (_, j) => (raw[i * 3073 + 1 + j] / 255 - mean[j]) / std[j]);
      const W1 = t('W', 1), g = t('gamma', 1), b = t('beta', 1), mu = t('meanAvg', 1), v = t('varAvg', 1);
      const h = Array.from({ length: 30 }, (_, k) => {
        let s = 0;
        for (let j = 0; j < 3072; j++) s += W1[k * 3072 + j] * x[j];
        return Math.max(0, g[k] * ((s - mu[k]) / Math.sqrt(v[k] + extra.config.eps)) + b[k]);
      });
      const W2 = t('W', 2), b2 = t('b', 2);
      const scores = Array.from({ length: 10 }, (_, c) => h.reduce((s, hk, k) => s + W2[c * 30 + k] * hk, b2[c]));
      if (scores.indexOf(Math.max(...scores)) === raw[i * 3073]) correct++;
    }
    const e = JSON.parse((await cli(['eval', '--model', model, '--dir', subset, '--json'])).stdout);
    // float32 vs float64 can flip a prediction that is a near tie; allow two.
    expect(Math.abs(correct / n.test - e.accuracy)).toBeLessThanOrEqual(2 / n.test);
  });

  it('re-standardises with the saved statistics when the preparation differs', async () => {
    const e = JSON.parse((await cli(['eval', '--model', model, '--dir', subset, '--validation', '100', '--json'])).stdout);
    const same = JSON.parse((await cli(['eval', '--model', model, '--dir', subset, '--json'])).stdout);
    expect(Math.abs(e.accuracy - same.accuracy)).toBeLessThanOrEqual(1 / n.test);
    expect(e.cost).toBeCloseTo(same.cost, 4);
  });

  it('rejects a missing, truncated or foreign model file in one line', async () => {
    const bad = path.join(tmp, 'bad.bnlab');
    writeFileSync(bad, readFileSync(model).subarray(0, 500));
    const foreign = path.join(tmp, 'foreign.bnlab');
    writeFileSync(foreign, 'not a model at all, just some text');
    for (const [file, message] of [
      [path.join(tmp, 'none.bnlab'), 'does not exist'],
      [bad, `eval: ${bad}: model: truncated`],
      [foreign, 'not a bnlab model'],
    ]) {
      const r = await cli(['eval', '--model', file, '--dir', subset]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
    }
    const none = await cli(['eval']);
    expect(none.stderr).toContain('--model FILE is required');
  });
});
