// The prepared data set in one SharedArrayBuffer, so worker threads share it without copying and the
// cache file is that buffer byte for byte. Layout (little-endian; floats first so every Float32Array
// view is 4-byte aligned):
//   mean[d] f32 · std[d] f32 · train.x[nTrain·d] f32 · validation.x[nVal·d] f32 · test.x[nTest·d] f32
//   · train.y[nTrain] u8 · validation.y[nVal] u8 · test.y[nTest] u8
// x is row-major, one sample per row, so a mini-batch is one contiguous slice.
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import type { ImageShape } from '@bnlab/engine';
import { canonicalJson } from '../util/canonical-json.js';

export type DatasetName = 'cifar10' | 'fashion-mnist';
export const DATASET_NAMES: readonly DatasetName[] = ['cifar10', 'fashion-mnist'];
/** Each data set's images, channel-major as the rows store them (the engine's jitter needs it). */
export const IMAGE_SHAPES: Readonly<Record<DatasetName, ImageShape>> = {
  cifar10: { channels: 3, height: 32, width: 32 },
  'fashion-mnist': { channels: 1, height: 28, width: 28 },
};

/** One split, in the engine's `Split` shape: x already normalised. */
export interface Split {
  x: Float32Array;
  y: Uint8Array;
  n: number;
}

export interface SplitSizes {
  train: number;
  validation: number;
  test: number;
}

/** Everything that describes a prepared data set except its arrays. JSON-able; no machine paths. */
export interface PreparedHeader {
  dataset: DatasetName;
  d: number;
  K: number;
  classes: string[];
  splits: SplitSizes;
  /** sha256 of a header without paths and the prepared bytes (see fingerprintOf). */
  fingerprint: string;
}

/** The engine's `Dataset` plus what the pipeline needs: classes, normalisation statistics, fingerprint. */
export interface PreparedDataset extends PreparedHeader {
  train: Split;
  validation: Split;
  test: Split;
  /** Per-dimension training mean and (population) std of the pixels scaled to [0, 1]; saved with a model. */
  mean: Float32Array;
  std: Float32Array;
  /** The directory the source files were read from (not part of the fingerprint). */
  source: string;
  /** The SharedArrayBuffer every array above is a view of. */
  buffer: SharedArrayBuffer;
  /** The images' shape (IMAGE_SHAPES), absent when d does not match it (reduced synthetic data). */
  image?: ImageShape;
}

/** What crosses to a worker thread: the header and the shared buffer (posted without copying). */
export interface TransferablePrepared {
  header: PreparedHeader;
  source: string;
  buffer: SharedArrayBuffer;
}

export function byteLength(d: number, s: SplitSizes): number {
  const n = s.train + s.validation + s.test;
  return 4 * d * (2 + n) + n;
}

/** Views on `buffer` laid out as above. */
export function viewsOf(buffer: SharedArrayBuffer, d: number, s: SplitSizes) {
  if (endianness() !== 'LE') throw new Error('bnlab data: the prepared-data format is little-endian; this machine is big-endian');
  const expected = byteLength(d, s);
  if (buffer.byteLength !== expected) throw new Error(`prepared data: buffer is ${buffer.byteLength} bytes, expected ${expected}`);
  let f = 0;
  const floats = (len: number) => {
    const v = new Float32Array(buffer, f, len);
    f += 4 * len;
    return v;
  };
  const mean = floats(d);
  const std = floats(d);
  const xTrain = floats(s.train * d);
  const xValidation = floats(s.validation * d);
  const xTest = floats(s.test * d);
  let b = f;
  const bytes = (len: number) => {
    const v = new Uint8Array(buffer, b, len);
    b += len;
    return v;
  };
  return {
    mean,
    std,
    train: { x: xTrain, y: bytes(s.train), n: s.train },
    validation: { x: xValidation, y: bytes(s.validation), n: s.validation },
    test: { x: xTest, y: bytes(s.test), n: s.test },
  };
}

export type PreparedViews = ReturnType<typeof viewsOf>;

/**
 * sha256 of canonical JSON {dataset, d, K, classes, splits} (no paths) followed by the whole prepared
 * buffer: normalisation statistics, data and labels, in the layout above. Equal prepared data ⇔ equal
 * fingerprint, and a changed byte anywhere in a cache entry changes it.
 */
export function fingerprintOf(h: Omit<PreparedHeader, 'fingerprint'>, views: PreparedViews): string {
  const hash = createHash('sha256');
  hash.update(canonicalJson({ dataset: h.dataset, d: h.d, K: h.K, classes: h.classes, splits: h.splits }));
  hash.update(new Uint8Array(views.mean.buffer)); // viewsOf checked that the views cover it exactly
  return hash.digest('hex');
}

export function assemble(header: PreparedHeader, source: string, buffer: SharedArrayBuffer): PreparedDataset {
  const v = viewsOf(buffer, header.d, header.splits);
  const s = IMAGE_SHAPES[header.dataset];
  const image = s && s.channels * s.height * s.width === header.d ? { ...s } : undefined;
  return { ...header, classes: [...header.classes], splits: { ...header.splits }, ...v, source, buffer, ...(image ? { image } : {}) };
}

export function toTransferable(p: PreparedDataset): TransferablePrepared {
  const { dataset, d, K, classes, splits, fingerprint } = p;
  return { header: { dataset, d, K, classes, splits, fingerprint }, source: p.source, buffer: p.buffer };
}

/** Rebuilds the typed views in a worker thread; no copy, no re-hash (the sender verified it). */
export function fromTransferable(t: TransferablePrepared): PreparedDataset {
  return assemble(t.header, t.source, t.buffer);
}
