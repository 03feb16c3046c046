// prepareDataset: finds the source files (downloading CIFAR-10 when absent), and returns the prepared
// data from the binary cache, or prepares it and caches it. Every input from the environment (env,
// workspace root) is a parameter; nothing here reads process.env or the cwd.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { BnlabError } from '../errors.js';
import { cacheKey, CorruptEntry, deleteEntry, hashSources, loadEntry, writeEntry, CACHE_FORMAT, type CacheHeader, type SourceFile } from './cache.js';
import { CIFAR10_FILES, readCifar10, resolveCifar10Dir, whereToPutCifar10 } from './cifar10.js';
import { cifar10Source, downloadCifar10 } from './download.js';
import { fashionMnistFiles, readFashionMnist, resolveFashionMnistDir, FASHION_MNIST_SYSTEM_DIR } from './fashion-mnist.js';
import { assemble, byteLength, fingerprintOf, viewsOf, DATASET_NAMES, type DatasetName, type PreparedDataset, type SplitSizes } from './layout.js';
import { DEFAULT_VALIDATION, normaliseInto, splitSizes } from './normalise.js';
import type { RawDataset } from './raw.js';

export interface PrepareOptions {
  dataset: DatasetName;
  /** Source directory (--dir / data.dir), relative to workspaceRoot. */
  dir?: string;
  /** Validation images: a count, or a fraction of the training records when 0 < v < 1. Default 0.1. */
  validation?: number;
  workspaceRoot: string;
  /** The environment (BNLAB_CIFAR10_DIR, BNLAB_CIFAR10_URL, BNLAB_CIFAR10_MD5). */
  env: Record<string, string | undefined>;
  /** Where prepared data is cached; default <workspaceRoot>/.bnlab/data; null disables the cache. */
  cacheDir?: string | null;
  /** Fashion-MNIST's location when no dir is given (default the Debian package's). */
  fashionMnistSystemDir?: string;
  /** One-line notes for stderr: downloading, a corrupt cache entry rebuilt (unprefixed: the caller adds 'bnlab: '). */
  log?: (line: string) => void;
  /** Download progress (bytes received, total or 0). */
  onDownloadProgress?: (received: number, total: number) => void;
}

/**
 * How every preparation scales and standardises the pixels. Trials carry it (TrialData) so a worker
 * refuses one prepared in a way it does not implement; it is part of the cache key, not of a trial's
 * hash (the data fingerprint already names the prepared arrays).
 */
export const NORMALISATION = 'pixel/255; train mean, population std (0 → 1)';

export async function prepareDataset(opts: PrepareOptions): Promise<PreparedDataset> {
  if (!DATASET_NAMES.includes(opts.dataset)) {
    throw new BnlabError(`unknown dataset '${opts.dataset}' (known: ${DATASET_NAMES.join(', ')})`);
  }
  const log = opts.log ?? (() => {});
  const validation = opts.validation ?? DEFAULT_VALIDATION;
  const cacheDir = opts.cacheDir === undefined ? path.join(opts.workspaceRoot, '.bnlab', 'data') : opts.cacheDir;
  const { dir, files, read } = await locate(opts, log);

  const settings = preparationSettings(validation);
  let key: string | null = null;
  let sources: SourceFile[] = [];
  if (cacheDir) {
    sources = await hashSources(files, cacheDir);
    key = cacheKey(opts.dataset, sources, settings);
    try {
      const hit = loadEntry(cacheDir, key);
      if (hit) return assemble(hit.header, dir, hit.buffer);
    } catch (err) {
      if (!(err instanceof CorruptEntry)) throw err;
      log(`cache entry ${key.slice(0, 12)} is corrupt: ${err.message}; deleting it and preparing the data again`);
      deleteEntry(cacheDir, key);
    }
  }

  const raw = read();
  const splits = splitSizes(raw, validation);
  const buffer = new SharedArrayBuffer(byteLength(raw.d, splits));
  const views = viewsOf(buffer, raw.d, splits);
  normaliseInto(views, raw);
  const shape = { dataset: opts.dataset, d: raw.d, K: raw.classes.length, classes: raw.classes, splits };
  const header = { ...shape, fingerprint: fingerprintOf(shape, views) };
  if (cacheDir && key) {
    const entry: CacheHeader = { format: CACHE_FORMAT, key, ...header, bytes: buffer.byteLength, sources, settings };
    writeEntry(cacheDir, entry, buffer);
  }
  return assemble(header, dir, buffer);
}

/** What a cache entry's preparation is: the validation size and NORMALISATION's two steps. */
function preparationSettings(validation: number): Record<string, unknown> {
  const [scale, standardise] = NORMALISATION.split('; ');
  return { validation, scale, standardise };
}

/**
 * The cache key the preparation `opts` would load or write, without downloading or preparing
 * anything; null when its source files are not all here.
 */
export async function preparedKey(opts: PrepareOptions): Promise<string | null> {
  let files: string[];
  if (opts.dataset === 'fashion-mnist') {
    try {
      files = fashionMnistFiles(resolveFashionMnistDir(opts.dir, opts.workspaceRoot, opts.fashionMnistSystemDir ?? FASHION_MNIST_SYSTEM_DIR));
    } catch {
      return null;
    }
  } else {
    const { dir } = resolveCifar10Dir(opts.dir, opts.env, opts.workspaceRoot);
    files = CIFAR10_FILES.map((f) => path.join(dir, f));
  }
  if (!files.every((f) => existsSync(f))) return null;
  const cacheDir = opts.cacheDir === undefined ? path.join(opts.workspaceRoot, '.bnlab', 'data') : opts.cacheDir;
  return cacheKey(opts.dataset, await hashSources(files, cacheDir), preparationSettings(opts.validation ?? DEFAULT_VALIDATION));
}

async function locate(opts: PrepareOptions, log: (line: string) => void): Promise<{ dir: string; files: string[]; read: () => RawDataset }> {
  if (opts.dataset === 'fashion-mnist') {
    const dir = resolveFashionMnistDir(opts.dir, opts.workspaceRoot, opts.fashionMnistSystemDir ?? FASHION_MNIST_SYSTEM_DIR);
    return { dir, files: fashionMnistFiles(dir), read: () => readFashionMnist(dir) };
  }
  const { dir, from } = resolveCifar10Dir(opts.dir, opts.env, opts.workspaceRoot);
  // A directory named on purpose (--dir, data.dir, BNLAB_CIFAR10_DIR) that is not there is most likely
  // a typo: say so instead of downloading 170 MB into it. Only the default location is downloaded to.
  if (from !== 'default' && !existsSync(dir)) {
    const setting = from === 'env' ? 'BNLAB_CIFAR10_DIR' : '--dir / data.dir';
    throw new BnlabError(`CIFAR-10: the directory ${dir} (${setting}) does not exist; correct the path, create it to download CIFAR-10 into it, or leave ${setting} out to use data/cifar-10-batches-bin`);
  }
  if (!existsSync(dir) || readdirSync(dir).length === 0) {
    const src = cifar10Source(opts.env);
    log(`CIFAR-10 is not in ${dir}; downloading ${src.url}`);
    await downloadCifar10(dir, { ...src, onProgress: opts.onDownloadProgress });
  }
  const files = CIFAR10_FILES.map((f) => path.join(dir, f));
  const missing = files.find((f) => !existsSync(f));
  if (missing) throw new BnlabError(`CIFAR-10: ${missing} is missing; ${whereToPutCifar10(dir)}`);
  return { dir, files, read: () => readCifar10(dir) };
}

/** The `bnlab data --json` object. */
export function describe(p: PreparedDataset): {
  dataset: DatasetName;
  splits: SplitSizes;
  classes: string[];
  dimensions: number;
  source: string;
  fingerprint: string;
} {
  return { dataset: p.dataset, splits: { ...p.splits }, classes: [...p.classes], dimensions: p.d, source: p.source, fingerprint: p.fingerprint };
}
