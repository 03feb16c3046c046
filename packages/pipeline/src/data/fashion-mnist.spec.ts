import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readFashionMnist, readIdx, FASHION_MNIST_CLASSES } from './fashion-mnist.js';
import { idxFile, writeFashionMnistFixture } from './fixtures.js';

const root = mkdtempSync(path.join(tmpdir(), 'bnlab-fmnist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('readFashionMnist', () => {
  it('reads gzipped and plain IDX files to the same bytes', () => {
    writeFashionMnistFixture(path.join(root, 'gz'), 7, 3, true);
    writeFashionMnistFixture(path.join(root, 'plain'), 7, 3, false);
    const gz = readFashionMnist(path.join(root, 'gz'));
    const plain = readFashionMnist(path.join(root, 'plain'));
    expect(gz.d).toBe(784);
    expect(gz.classes).toEqual(FASHION_MNIST_CLASSES);
    expect([gz.train.n, gz.test.n]).toEqual([7, 3]);
    expect([...gz.train.labels]).toEqual([5, 8, 1, 4, 7, 0, 3]); // (3i + 5) mod 10
    expect(Buffer.compare(Buffer.from(gz.train.pixels), Buffer.from(plain.train.pixels))).toBe(0);
    // The pixels are the file's bytes after the 16-byte header.
    const file = gunzipSync(readFileSync(path.join(root, 'gz', 'train-images-idx3-ubyte.gz')));
    expect(Buffer.compare(Buffer.from(gz.train.pixels), file.subarray(16))).toBe(0);
  });

  it('checks magic numbers, sizes and label counts, naming the file', () => {
    const dir = path.join(root, 'bad');
    writeFashionMnistFixture(dir, 4, 2, false);
    const labels = path.join(dir, 'train-labels-idx1-ubyte');
    writeFileSync(labels, idxFile([3], Uint8Array.from([1, 2, 3]), false));
    expect(() => readFashionMnist(dir)).toThrow(`${labels} has 3 labels for 4 images`);
    const images = path.join(dir, 't10k-images-idx3-ubyte');
    expect(() => readIdx(images, 0x801)).toThrow(`${images} has IDX magic 0x00000803, expected 0x00000801`);
    writeFileSync(images, readFileSync(images).subarray(0, 100));
    expect(() => readIdx(images, 0x803)).toThrow(`${images} is 100 bytes, expected ${16 + 2 * 784}`);
    unlinkSync(images);
    expect(() => readFashionMnist(dir)).toThrow(/t10k-images-idx3-ubyte\(\.gz\) is missing; install the Debian package dataset-fashion-mnist/);
  });
});
