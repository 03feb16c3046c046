import { mkdtempSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCifar10, resolveCifar10Dir, CIFAR10_RECORD } from './cifar10.js';
import { cifar10Batch, writeCifar10Fixture, CIFAR10_CLASSES } from './fixtures.js';

const root = mkdtempSync(path.join(tmpdir(), 'bnlab-cifar-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveCifar10Dir', () => {
  it('prefers the explicit dir, then BNLAB_CIFAR10_DIR, then <workspace>/data/cifar-10-batches-bin', () => {
    const env = { BNLAB_CIFAR10_DIR: '/env/cifar' };
    expect(resolveCifar10Dir('mine', env, '/ws')).toEqual({ dir: '/ws/mine', from: 'explicit' });
    expect(resolveCifar10Dir(undefined, env, '/ws')).toEqual({ dir: '/env/cifar', from: 'env' });
    expect(resolveCifar10Dir(undefined, {}, '/ws')).toEqual({ dir: '/ws/data/cifar-10-batches-bin', from: 'default' });
    expect(resolveCifar10Dir(undefined, { BNLAB_CIFAR10_DIR: '' }, '/ws').from).toBe('default');
  });
});

describe('readCifar10', () => {
  const dir = path.join(root, 'ok');
  writeCifar10Fixture(dir, 3, 2);

  it('reads any number of records per file, labels and R,G,B planes unchanged, in file order', () => {
    const raw = readCifar10(dir);
    expect(raw.classes).toEqual(CIFAR10_CLASSES);
    expect(raw.train.n).toBe(15);
    expect(raw.test.n).toBe(2);
    // Record 2 of data_batch_2.bin is training row 3 + 1 = 4.
    const batch2 = cifar10Batch(3, 2);
    expect(raw.train.labels[4]).toBe(batch2[CIFAR10_RECORD]);
    expect([...raw.train.pixels.subarray(4 * 3072, 5 * 3072)]).toEqual([...batch2.subarray(CIFAR10_RECORD + 1, 2 * CIFAR10_RECORD)]);
    expect([...raw.test.labels]).toEqual([99 % 10, 100 % 10]);
  });

  it('names a file whose size is not a whole number of records', () => {
    const bad = path.join(root, 'truncated');
    writeCifar10Fixture(bad, 3, 2);
    truncateSync(path.join(bad, 'data_batch_4.bin'), 3 * CIFAR10_RECORD - 5);
    expect(() => readCifar10(bad)).toThrow(`${path.join(bad, 'data_batch_4.bin')} is ${3 * CIFAR10_RECORD - 5} bytes, not a whole number of 3073-byte records`);
  });

  it('names a missing file and says where to put the files', () => {
    const missing = path.join(root, 'missing');
    writeCifar10Fixture(missing, 1, 1);
    unlinkSync(path.join(missing, 'test_batch.bin'));
    expect(() => readCifar10(missing)).toThrow(new RegExp(`${path.join(missing, 'test_batch.bin')} is missing; put the CIFAR-10 binary files .* in ${missing}`));
  });

  it('rejects a label that is not a class and a meta file without 10 names', () => {
    const bad = path.join(root, 'label');
    writeCifar10Fixture(bad, 2, 1);
    const b = cifar10Batch(2, 1);
    b[CIFAR10_RECORD] = 10;
    writeFileSync(path.join(bad, 'data_batch_1.bin'), b);
    expect(() => readCifar10(bad)).toThrow('data_batch_1.bin record 2: label 10 is not a class');
    const meta = path.join(root, 'meta');
    writeCifar10Fixture(meta, 1, 1);
    writeFileSync(path.join(meta, 'batches.meta.txt'), 'cat\ndog\n');
    expect(() => readCifar10(meta)).toThrow('batches.meta.txt lists 2 class names, expected 10');
  });
});
