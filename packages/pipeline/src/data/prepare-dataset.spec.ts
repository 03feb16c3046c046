import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCifar10Fixture, writeFashionMnistFixture } from './fixtures.js';
import { fingerprintOf, fromTransferable, toTransferable, viewsOf, type PreparedDataset } from './layout.js';
import { describe as describeData, prepareDataset, type PrepareOptions } from './prepare-dataset.js';

const root = mkdtempSync(path.join(tmpdir(), 'bnlab-prepare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const source = path.join(root, 'cifar');
writeCifar10Fixture(source, 4, 3);

function options(cacheDir: string | null, log: string[] = [], extra: Partial<PrepareOptions> = {}): PrepareOptions {
  return { dataset: 'cifar10', dir: source, validation: 5, workspaceRoot: root, env: {}, cacheDir, log: (l) => log.push(l), ...extra };
}

const bytesOf = (p: PreparedDataset) => Buffer.from(new Uint8Array(p.buffer));

describe('prepareDataset', () => {
  it('prepares the splits on a SharedArrayBuffer and fingerprints them without paths', async () => {
    const p = await prepareDataset(options(null));
    expect(p.splits).toEqual({ train: 15, validation: 5, test: 3 });
    expect([p.d, p.K, p.train.x.length, p.validation.y.length]).toEqual([3072, 10, 15 * 3072, 5]);
    expect(p.image).toEqual({ channels: 3, height: 32, width: 32 }); // channel-major, as the records store it
    expect(p.train.x.buffer).toBe(p.buffer);
    expect(p.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(p.source).toBe(source);
    expect(describeData(p)).toEqual({
      dataset: 'cifar10', splits: p.splits, classes: p.classes, dimensions: 3072, source, fingerprint: p.fingerprint,
    });
    // The same files elsewhere give the same fingerprint; another validation size a different one.
    const copy = path.join(root, 'copy');
    writeCifar10Fixture(copy, 4, 3);
    expect((await prepareDataset(options(null, [], { dir: copy }))).fingerprint).toBe(p.fingerprint);
    expect((await prepareDataset(options(null, [], { validation: 4 }))).fingerprint).not.toBe(p.fingerprint);
  });

  it('caches the prepared bytes once and loads them identically', async () => {
    const cacheDir = path.join(root, 'cache-hit');
    const first = await prepareDataset(options(cacheDir));
    const entries = readdirSync(cacheDir).filter((e) => /^[0-9a-f]{64}$/.test(e));
    expect(entries).toHaveLength(1);
    const header = JSON.parse(readFileSync(path.join(cacheDir, entries[0], 'header.json'), 'utf8'));
    expect(header.fingerprint).toBe(first.fingerprint);
    expect(header.sources.map((s: { name: string }) => s.name)).toContain('data_batch_1.bin');
    expect(JSON.stringify(header)).not.toContain(source); // no machine paths in the entry
    const second = await prepareDataset(options(cacheDir));
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(bytesOf(second).equals(bytesOf(first))).toBe(true);
    // A changed source file changes the key: a second entry, never the stale one.
    const other = path.join(root, 'changed');
    writeCifar10Fixture(other, 4, 3);
    const batch = readFileSync(path.join(other, 'data_batch_2.bin'));
    batch[100] ^= 0xff;
    writeFileSync(path.join(other, 'data_batch_2.bin'), batch);
    const changed = await prepareDataset(options(cacheDir, [], { dir: other }));
    expect(changed.fingerprint).not.toBe(first.fingerprint);
    expect(readdirSync(cacheDir).filter((e) => /^[0-9a-f]{64}$/.test(e))).toHaveLength(2);
  });

  it.each([
    ['a flipped data byte', (dir: string) => {
      const f = path.join(dir, 'data.bin');
      const b = readFileSync(f);
      b[b.length - 100] ^= 1;
      writeFileSync(f, b);
    }, 'does not match its fingerprint'],
    ['a flipped byte in the normalisation statistics', (dir: string) => {
      const f = path.join(dir, 'data.bin');
      const b = readFileSync(f);
      b[3072 * 4 + 57] ^= 1;
      writeFileSync(f, b);
    }, 'does not match its fingerprint'],
    ['a truncated data file', (dir: string) => truncateSync(path.join(dir, 'data.bin'), 1000), 'is 1000 bytes, the header says'],
    ['a damaged header', (dir: string) => writeFileSync(path.join(dir, 'header.json'), '{"format": '), 'is unreadable'],
    ['a header with wrong shapes', (dir: string) => {
      const f = path.join(dir, 'header.json');
      const h = JSON.parse(readFileSync(f, 'utf8'));
      h.splits.train += 1;
      writeFileSync(f, JSON.stringify(h));
    }, 'do not match the shapes'],
  ])('reports, deletes and rebuilds an entry with %s', async (_what, damage, message) => {
    const cacheDir = path.join(root, `cache-${message.replace(/\W/g, '')}`);
    const good = await prepareDataset(options(cacheDir));
    const [key] = readdirSync(cacheDir).filter((e) => /^[0-9a-f]{64}$/.test(e));
    damage(path.join(cacheDir, key));
    const log: string[] = [];
    const rebuilt = await prepareDataset(options(cacheDir, log));
    expect(log).toHaveLength(1);
    expect(log[0]).toContain(`cache entry ${key.slice(0, 12)} is corrupt`);
    expect(log[0]).toContain(message);
    expect(bytesOf(rebuilt).equals(bytesOf(good))).toBe(true);
    // The rebuilt entry is valid again: a third load is silent.
    const quiet: string[] = [];
    await prepareDataset(options(cacheDir, quiet));
    expect(quiet).toEqual([]);
    expect(readdirSync(cacheDir).filter((e) => e.includes('.tmp-'))).toEqual([]);
  });

  it('prepares Fashion-MNIST from IDX files, 784 dimensions', async () => {
    const dir = path.join(root, 'fmnist');
    writeFashionMnistFixture(dir, 20, 6, true);
    const p = await prepareDataset({ dataset: 'fashion-mnist', dir, validation: 0.25, workspaceRoot: root, env: {}, cacheDir: null });
    expect(p.splits).toEqual({ train: 15, validation: 5, test: 6 });
    expect(p.d).toBe(784);
    expect(p.image).toEqual({ channels: 1, height: 28, width: 28 });
    expect(p.classes[0]).toBe('T-shirt/top');
    await expect(prepareDataset({ dataset: 'fashion-mnist', workspaceRoot: root, env: {}, cacheDir: null, fashionMnistSystemDir: path.join(root, 'none') }))
      .rejects.toThrow(`${path.join(root, 'none', 'train-images-idx3-ubyte')}(.gz) is missing`);
  });

  it('rejects an unknown dataset and a missing source file without touching the cache', async () => {
    await expect(prepareDataset({ ...options(null), dataset: 'mnist' as 'cifar10' })).rejects.toThrow("unknown dataset 'mnist'");
    const partial = path.join(root, 'partial');
    writeCifar10Fixture(partial, 1, 1);
    rmSync(path.join(partial, 'data_batch_5.bin'));
    const cacheDir = path.join(root, 'cache-missing');
    await expect(prepareDataset(options(cacheDir, [], { dir: partial }))).rejects.toThrow(`${path.join(partial, 'data_batch_5.bin')} is missing`);
    expect(existsSync(cacheDir)).toBe(false);
  });
});

describe('toTransferable / fromTransferable', () => {
  it('shares the prepared buffer with a worker thread without copying', async () => {
    const p = await prepareDataset(options(null));
    // The worker receives the transferable object, writes into the test labels and posts it back.
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.once('message', (t) => {
         const y = new Uint8Array(t.buffer, t.buffer.byteLength - 1, 1);
         y[0] = 7;
         parentPort.postMessage(t);
       });`,
      { eval: true },
    );
    const before = p.test.y[2];
    worker.postMessage(toTransferable(p));
    const back = await new Promise<ReturnType<typeof toTransferable>>((resolve) => worker.once('message', resolve));
    await worker.terminate();
    expect(p.test.y[2]).toBe(7); // the worker's write is visible here: shared, not copied
    const q = fromTransferable(back);
    expect(q.test.y[2]).toBe(7);
    expect(q.train.x[12345]).toBe(p.train.x[12345]);
    expect([q.d, q.K, q.classes, q.splits, q.source, q.image]).toEqual([p.d, p.K, p.classes, p.splits, p.source, p.image]);
    // The fingerprint sees the change, and the original bytes again once it is undone.
    expect(fingerprintOf(q, viewsOf(q.buffer, q.d, q.splits))).not.toBe(p.fingerprint);
    p.test.y[2] = before;
    expect(fingerprintOf(q, viewsOf(q.buffer, q.d, q.splits))).toBe(p.fingerprint);
  });
});
