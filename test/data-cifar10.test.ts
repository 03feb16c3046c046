// Real CIFAR-10 (the subset ../shared/datasets/cifar-10-subset linked as data/cifar-10-batches-bin by
// .ci/run, or $BNLAB_CIFAR10_DIR; else the committed fixture test/fixtures/cifar-10-mini): record
// counts (from the file sizes), labels, the validation split, normalisation checked against an
// independent computation from the raw bytes, a truncated file, and `bnlab data --json`.
import { Ajv } from 'ajv';
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDataset, type PreparedDataset } from '../packages/pipeline/src/data/index.js';
import { cifar10Dir as subset, cifar10Records } from './helpers/cifar10.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bnlab = path.join(repo, 'packages/pipeline/bin/bnlab.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'bnlab-data-'));
// The default split: validation = the last 10 % of the training records.
const n = cifar10Records();
const VAL = Math.round(n.train / 10);
const TRAIN = n.train - VAL;
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The raw records of one batch file, read here independently of the loader. */
function records(file: string): { labels: number[]; pixels: Buffer[] } {
  const bytes = readFileSync(path.join(subset, file));
  const labels: number[] = [];
  const pixels: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 3073) {
    labels.push(bytes[at]);
    pixels.push(bytes.subarray(at + 1, at + 3073));
  }
  return { labels, pixels };
}

let p: PreparedDataset;
beforeAll(async () => {
  p = await prepareDataset({ dataset: 'cifar10', dir: subset, workspaceRoot: repo, env: {}, cacheDir: path.join(tmp, 'cache') });
});

describe(`real CIFAR-10 (${n.train} training, ${n.test} test images)`, () => {
  it('has every record of the files; validation = the last 10 %', () => {
    expect(p.splits.train + p.splits.validation).toBe(n.train);
    expect(p.splits).toEqual({ train: TRAIN, validation: VAL, test: n.test });
    expect(p.d).toBe(3072);
    expect(p.classes).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    expect([...p.test.y.subarray(0, 10)]).toEqual([3, 8, 8, 0, 6, 6, 1, 6, 3, 1]);
    const batch5 = records('data_batch_5.bin').labels;
    expect([...p.validation.y]).toEqual(batch5.slice(batch5.length - VAL));
    expect(p.train.y[0]).toBe(records('data_batch_1.bin').labels[0]);
  });

  it('standardises with the training split statistics, computed independently', () => {
    const train = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin']
      .flatMap((f) => records(f).pixels);
    const trainRows = train.slice(0, TRAIN);
    const d = 3072;
    const mean = new Float64Array(d);
    const std = new Float64Array(d);
    for (const r of trainRows) for (let j = 0; j < d; j++) mean[j] += r[j] / 255 / trainRows.length;
    for (const r of trainRows) for (let j = 0; j < d; j++) std[j] += (r[j] / 255 - mean[j]) ** 2 / trainRows.length;
    for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]);
    let worstStat = 0;
    for (let j = 0; j < d; j++) worstStat = Math.max(worstStat, Math.abs(p.mean[j] - mean[j]) / mean[j], Math.abs(p.std[j] - std[j]) / std[j]);
    expect(worstStat, `mean/std rel err ${worstStat}`).toBeLessThan(1e-6);

    // The prepared training split: per-dimension mean ≈ 0 and population std ≈ 1.
    const m = new Float64Array(d);
    const s = new Float64Array(d);
    for (let i = 0; i < p.splits.train; i++) for (let j = 0; j < d; j++) m[j] += p.train.x[i * d + j] / p.splits.train;
    for (let i = 0; i < p.splits.train; i++) for (let j = 0; j < d; j++) s[j] += (p.train.x[i * d + j] - m[j]) ** 2 / p.splits.train;
    const worstMean = Math.max(...m.map(Math.abs));
    const worstStd = Math.max(...s.map((v) => Math.abs(Math.sqrt(v) - 1)));
    expect(worstMean, `train mean max |m| ${worstMean}`).toBeLessThan(1e-5);
    expect(worstStd, `train std max |s − 1| ${worstStd}`).toBeLessThan(1e-4);

    // Validation and test use the training statistics (not their own): every element checked.
    const test = records('test_batch.bin').pixels;
    const check = (x: Float32Array, rows: Buffer[], what: string) => {
      let worst = 0;
      rows.forEach((r, i) => {
        for (let j = 0; j < d; j++) worst = Math.max(worst, Math.abs(x[i * d + j] - (r[j] / 255 - mean[j]) / std[j]));
      });
      expect(worst, `${what} max abs err ${worst}`).toBeLessThan(1e-5);
    };
    check(p.validation.x, train.slice(TRAIN), 'validation');
    check(p.test.x, test, 'test');
    // …which differ from the validation split's own statistics (so the check above can fail).
    let own = 0;
    for (let i = 0; i < p.splits.validation; i++) own += p.validation.x[i * d] / p.splits.validation;
    expect(Math.abs(own)).toBeGreaterThan(1e-3);
  });

  it('rejects a truncated batch file, naming it (library and CLI)', async () => {
    const copy = path.join(tmp, 'truncated');
    mkdirSync(copy);
    for (const f of readdirSync(subset)) copyFileSync(path.join(subset, f), path.join(copy, f));
    const file = path.join(copy, 'data_batch_3.bin');
    const size = n.perBatch[2] * 3073 - 1000;
    truncateSync(file, size);
    await expect(prepareDataset({ dataset: 'cifar10', dir: copy, workspaceRoot: repo, env: {}, cacheDir: null }))
      .rejects.toThrow(`${file} is ${size} bytes, not a whole number of 3073-byte records`);
    const r = await execa('node', [bnlab, 'data', '--dir', copy], { cwd: repo, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(`bnlab: CIFAR-10: ${file} is`)]);
    expect(r.stdout).toBe('');
  });
});

describe('bnlab data', () => {
  const schema = JSON.parse(readFileSync(path.join(repo, 'packages/pipeline/schemas/data.schema.json'), 'utf8'));
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

  it('--json matches its schema and the library, found through $BNLAB_CIFAR10_DIR', async () => {
    const r = await execa('node', [bnlab, 'data', '--dataset', 'cifar10', '--json'], {
      cwd: repo, env: { BNLAB_CIFAR10_DIR: subset },
    });
    const out = JSON.parse(r.stdout);
    expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
    expect(out).toEqual({
      dataset: 'cifar10', splits: { train: TRAIN, validation: VAL, test: n.test }, classes: p.classes, dimensions: 3072, source: subset,
      fingerprint: p.fingerprint,
    });
  });

  it('--validation takes a count or a fraction; the human summary names the splits', async () => {
    const frac = JSON.parse((await execa('node', [bnlab, 'data', '--dir', subset, '--validation', '0.2', '--json'], { cwd: repo })).stdout);
    const fifth = Math.round(n.train / 5);
    expect(frac.splits).toEqual({ train: n.train - fifth, validation: fifth, test: n.test });
    expect(validate(frac)).toBe(true);
    const count = await execa('node', [bnlab, 'data', '--dir', subset, '--validation', '100'], { cwd: repo });
    expect(count.stdout).toContain(`train ${n.train - 100}, validation 100, test ${n.test}`);
    expect(count.stdout).toContain(`cifar10 from ${subset}`);
  });

  it.each([
    [['--validation', '0'], 'validation: 0 must be a count'],
    [['--validation', 'lots'], "--validation: 'lots' is not a number"],
    [['--dataset', 'mnist'], "--dataset: 'mnist' is not a data set"],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('bad input %j: one line on stderr, exit 1', async (args, message) => {
    const r = await execa('node', [bnlab, 'data', '--dir', subset, ...args], { cwd: repo, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it('reports a corrupt cache entry on stderr, deletes it and prepares the data again', async () => {
    const ws = path.join(tmp, 'ws'); // no nx.json above it: the CLI's workspace root, so .bnlab/data goes here
    mkdirSync(ws);
    const first = await execa('node', [bnlab, 'data', '--dir', subset, '--json'], { cwd: ws });
    const cache = path.join(ws, '.bnlab', 'data');
    const [key] = readdirSync(cache).filter((e) => /^[0-9a-f]{64}$/.test(e));
    const data = path.join(cache, key, 'data.bin');
    const bytes = readFileSync(data);
    bytes[12345] ^= 0x10;
    writeFileSync(data, bytes);
    const again = await execa('node', [bnlab, 'data', '--dir', subset, '--json'], { cwd: ws });
    expect(again.stderr).toContain(`cache entry ${key.slice(0, 12)} is corrupt: ${data} does not match its fingerprint`);
    expect(again.stdout).toBe(first.stdout);
    expect(readFileSync(data).equals(bytes)).toBe(false); // rebuilt, not the damaged bytes
    const quiet = await execa('node', [bnlab, 'data', '--dir', subset, '--json'], { cwd: ws });
    expect(quiet.stderr).toBe('');
  });

  it('--help describes every option', async () => {
    const r = await execa('node', [bnlab, 'data', '--help'], { cwd: repo });
    for (const flag of ['--dataset', '--dir', '--validation', '--json', 'BNLAB_CIFAR10_DIR', 'BNLAB_CIFAR10_URL']) expect(r.stdout).toContain(flag);
  });
});
