// CIFAR-10 in its official binary layout: data_batch_1.bin … data_batch_5.bin and test_batch.bin, each
// any number of records of <1 label byte><1024 red><1024 green><1024 blue> (rows top to bottom), and
// batches.meta.txt with the class names, one a line, label 0 first.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BnlabError } from '../errors.js';
import { checkLabels, type RawDataset, type RawSplit } from './raw.js';

export const CIFAR10_D = 3072;
export const CIFAR10_RECORD = 1 + CIFAR10_D;
export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR10_META_FILE = 'batches.meta.txt';
export const CIFAR10_FILES = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE, CIFAR10_META_FILE];
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
/** The directory the official archive extracts to, and the default location under the workspace. */
export const CIFAR10_DIR_NAME = 'cifar-10-batches-bin';

export interface Cifar10Location {
  dir: string;
  /** Which rule chose it, for messages: '--dir', 'BNLAB_CIFAR10_DIR' or 'default'. */
  from: 'explicit' | 'env' | 'default';
}

/**
 * Where CIFAR-10 is looked for: the explicit directory (--dir / data.dir, relative to the workspace
 * root), else env BNLAB_CIFAR10_DIR, else <workspace>/data/cifar-10-batches-bin. The first one given
 * wins even if it is empty: a directory the user named is never silently replaced by another.
 */
export function resolveCifar10Dir(explicit: string | undefined, env: Record<string, string | undefined>, workspaceRoot: string): Cifar10Location {
  if (explicit) return { dir: path.resolve(workspaceRoot, explicit), from: 'explicit' };
  const fromEnv = env.BNLAB_CIFAR10_DIR;
  if (fromEnv) return { dir: path.resolve(workspaceRoot, fromEnv), from: 'env' };
  return { dir: path.join(workspaceRoot, 'data', CIFAR10_DIR_NAME), from: 'default' };
}

export function whereToPutCifar10(dir: string): string {
  return `put the CIFAR-10 binary files (${CIFAR10_FILES.join(', ')}) from ${CIFAR10_URL} in ${dir}, or point --dir or BNLAB_CIFAR10_DIR at a directory holding them`;
}

/** Reads every file of the official layout from `dir`; any problem is an error naming the file. */
export function readCifar10(dir: string): RawDataset {
  const file = (name: string) => {
    const p = path.join(dir, name);
    if (!existsSync(p)) throw new BnlabError(`CIFAR-10: ${p} is missing; ${whereToPutCifar10(dir)}`);
    return p;
  };
  const metaPath = file(CIFAR10_META_FILE);
  const classes = readFileSync(metaPath, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  if (classes.length !== 10) throw new BnlabError(`CIFAR-10: ${metaPath} lists ${classes.length} class names, expected 10`);
  const trainPaths = CIFAR10_TRAIN_FILES.map(file);
  const testPath = file(CIFAR10_TEST_FILE);
  const train = readBatches(trainPaths, classes.length);
  const test = readBatches([testPath], classes.length);
  return { d: CIFAR10_D, classes, train, test, dir, files: [...trainPaths, testPath, metaPath] };
}

/** Concatenates batch files in order; a size that is not a whole number of records names the file. */
export function readBatches(files: string[], K: number): RawSplit {
  const sizes = files.map((f) => {
    const size = statSync(f).size;
    if (size === 0 || size % CIFAR10_RECORD !== 0) {
      throw new BnlabError(
        `CIFAR-10: ${f} is ${size} bytes, not a whole number of ${CIFAR10_RECORD}-byte records (truncated or not a CIFAR-10 binary batch)`,
      );
    }
    return size;
  });
  const n = sizes.reduce((a, s) => a + s / CIFAR10_RECORD, 0);
  const pixels = new Uint8Array(n * CIFAR10_D);
  const labels = new Uint8Array(n);
  let row = 0;
  files.forEach((f, k) => {
    const bytes = readFileSync(f);
    if (bytes.length !== sizes[k]) throw new BnlabError(`CIFAR-10: ${f} changed size while being read`);
    const records = bytes.length / CIFAR10_RECORD;
    for (let r = 0; r < records; r++, row++) {
      const at = r * CIFAR10_RECORD;
      labels[row] = bytes[at];
      pixels.set(bytes.subarray(at + 1, at + CIFAR10_RECORD), row * CIFAR10_D);
    }
    const first = row - records;
    checkLabels(labels.subarray(first, row), K, (i) => `CIFAR-10: ${f} record ${i + 1}`);
  });
  return { pixels, labels, n };
}
