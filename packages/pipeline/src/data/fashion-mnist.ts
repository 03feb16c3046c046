// Fashion-MNIST in its official IDX format, gzipped or not: train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each optionally with .gz). IDX: a big-endian magic
// (0x00000803 for 3-d unsigned-byte images, 0x00000801 for 1-d labels), the dimension sizes as big-endian
// uint32, then the bytes.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BnlabError } from '../errors.js';
import { checkLabels, type RawDataset, type RawSplit } from './raw.js';

/** Where the Debian package dataset-fashion-mnist installs it. */
export const FASHION_MNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];
const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

export function resolveFashionMnistDir(explicit: string | undefined, workspaceRoot: string, systemDir = FASHION_MNIST_SYSTEM_DIR): string {
  return explicit ? path.resolve(workspaceRoot, explicit) : systemDir;
}

/** The four IDX files in reading order (train images, train labels, test images, test labels). */
export function fashionMnistFiles(dir: string): string[] {
  return ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].map((b) => find(dir, b));
}

export function readFashionMnist(dir: string): RawDataset {
  const files = fashionMnistFiles(dir);
  const split = (imagesPath: string, labelsPath: string): RawSplit => {
    const images = readIdx(imagesPath, IMAGES_MAGIC);
    const labels = readIdx(labelsPath, LABELS_MAGIC);
    const [n, rows, cols] = images.dims;
    if (rows !== 28 || cols !== 28) throw new BnlabError(`Fashion-MNIST: ${imagesPath} holds ${rows}×${cols} images, expected 28×28`);
    if (labels.dims[0] !== n) throw new BnlabError(`Fashion-MNIST: ${labelsPath} has ${labels.dims[0]} labels for ${n} images in ${imagesPath}`);
    checkLabels(labels.data, FASHION_MNIST_CLASSES.length, (i) => `Fashion-MNIST: ${labelsPath} label ${i + 1}`);
    return { pixels: images.data, labels: labels.data, n };
  };
  const train = split(files[0], files[1]);
  const test = split(files[2], files[3]);
  return { d: 784, classes: [...FASHION_MNIST_CLASSES], train, test, dir, files };
}

function find(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`]) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new BnlabError(
    `Fashion-MNIST: ${path.join(dir, base)}(.gz) is missing; install the Debian package dataset-fashion-mnist (it fills ${FASHION_MNIST_SYSTEM_DIR}) or point --dir at a directory holding the four IDX files`,
  );
}

/** Parses one IDX file of unsigned bytes, gunzipping it first when it starts with the gzip magic. */
export function readIdx(file: string, magic: number): { dims: number[]; data: Uint8Array } {
  let bytes: Uint8Array = readFileSync(file);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new BnlabError(`Fashion-MNIST: ${file} is not a valid gzip file (${(err as Error).message})`);
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint32(0) !== magic) {
    const got = bytes.length < 4 ? 'nothing' : `0x${view.getUint32(0).toString(16).padStart(8, '0')}`;
    throw new BnlabError(`Fashion-MNIST: ${file} has IDX magic ${got}, expected 0x${magic.toString(16).padStart(8, '0')}`);
  }
  const rank = magic & 0xff;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new BnlabError(`Fashion-MNIST: ${file} is truncated (${bytes.length} bytes, header needs ${headerBytes})`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== headerBytes + size) {
    throw new BnlabError(`Fashion-MNIST: ${file} is ${bytes.length} bytes, expected ${headerBytes + size} for dimensions ${dims.join('×')} (truncated?)`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}
