// Small synthetic data sets in the official on-disk formats, for tests (the readers, the cache, the
// download path). Deterministic bytes from a seeded LCG, so every run writes the same files.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CIFAR10_RECORD, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, CIFAR10_META_FILE } from './cifar10.js';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
}

/** Records of <label><3072 pixels>; label i mod 10 rotated by the seed, pixels from the LCG. */
export function cifar10Batch(records: number, seed: number): Uint8Array {
  const next = lcg(seed);
  const out = new Uint8Array(records * CIFAR10_RECORD);
  for (let r = 0; r < records; r++) {
    out[r * CIFAR10_RECORD] = (r + seed) % 10;
    for (let j = 1; j < CIFAR10_RECORD; j++) out[r * CIFAR10_RECORD + j] = next();
  }
  return out;
}

/** The files of a small CIFAR-10 copy: `train` records in each of the five batches, `test` in the test batch. */
export function cifar10Files(train: number, test: number): { name: string; data: Uint8Array }[] {
  return [
    ...CIFAR10_TRAIN_FILES.map((name, i) => ({ name, data: cifar10Batch(train, i + 1) })),
    { name: CIFAR10_TEST_FILE, data: cifar10Batch(test, 99) },
    { name: CIFAR10_META_FILE, data: Buffer.from(`${CIFAR10_CLASSES.join('\n')}\n\n`) },
  ];
}

export function writeCifar10Fixture(dir: string, train: number, test: number): void {
  mkdirSync(dir, { recursive: true });
  for (const f of cifar10Files(train, test)) writeFileSync(path.join(dir, f.name), f.data);
}

/** An IDX file of unsigned bytes (magic 0x0000080<rank>, big-endian sizes), gzipped when asked. */
export function idxFile(dims: number[], data: Uint8Array, gzip: boolean): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(0x0800 + dims.length, 0);
  dims.forEach((n, i) => head.writeUInt32BE(n, 4 + 4 * i));
  const bytes = Buffer.concat([head, data]);
  return gzip ? gzipSync(bytes) : bytes;
}

/** A Fashion-MNIST copy with `train` and `test` 28×28 images. */
export function writeFashionMnistFixture(dir: string, train: number, test: number, gzip: boolean): void {
  mkdirSync(dir, { recursive: true });
  const ext = gzip ? '.gz' : '';
  for (const [prefix, n, seed] of [['train', train, 5], ['t10k', test, 6]] as const) {
    const next = lcg(seed);
    const pixels = Uint8Array.from({ length: n * 784 }, next);
    const labels = Uint8Array.from({ length: n }, (_, i) => (i * 3 + seed) % 10);
    writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte${ext}`), idxFile([n, 28, 28], pixels, gzip));
    writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte${ext}`), idxFile([n], labels, gzip));
  }
}
