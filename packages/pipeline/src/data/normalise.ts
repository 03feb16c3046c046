// Preparation as the reference study did it: validation = the LAST V training images, training = the
// rest; pixels scaled to [0, 1], then every split standardised per dimension with the training split's
// mean and population standard deviation (a constant dimension gets std 1 so it maps to 0, not NaN).
// Statistics are accumulated in float64 in a fixed order, so the bytes are the same on any machine.
import { BnlabError } from '../errors.js';
import type { PreparedViews, SplitSizes } from './layout.js';
import type { RawDataset } from './raw.js';

export const DEFAULT_VALIDATION = 0.1;

/** V as a count (integer ≥ 1) or a fraction of the training records (0 < V < 1, rounded). */
export function validationCount(v: number, trainRecords: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new BnlabError(`validation: ${v} must be a count ≥ 1 or a fraction between 0 and 1`);
  const count = v < 1 ? Math.round(v * trainRecords) : v;
  if (!Number.isInteger(count)) throw new BnlabError(`validation: ${v} is neither a whole count nor a fraction between 0 and 1`);
  if (count < 1) throw new BnlabError(`validation: ${v} of ${trainRecords} training records leaves no validation images`);
  if (count >= trainRecords) throw new BnlabError(`validation: ${count} images leave none of the ${trainRecords} training records for training`);
  return count;
}

export function splitSizes(raw: RawDataset, validation: number): SplitSizes {
  const v = validationCount(validation, raw.train.n);
  return { train: raw.train.n - v, validation: v, test: raw.test.n };
}

/** Fills the views (laid out for `splitSizes(raw, …)`) with the prepared data. */
export function normaliseInto(out: PreparedViews, raw: RawDataset): void {
  const d = raw.d;
  const nTrain = out.train.n;
  const px = raw.train.pixels;
  const sum = new Float64Array(d);
  for (let i = 0; i < nTrain; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) sum[j] += px[row + j] / 255;
  }
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) mean[j] = sum[j] / nTrain;
  const sq = new Float64Array(d);
  for (let i = 0; i < nTrain; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) {
      const c = px[row + j] / 255 - mean[j];
      sq[j] += c * c;
    }
  }
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(sq[j] / nTrain);
    std[j] = s === 0 ? 1 : s;
  }
  out.mean.set(mean);
  out.std.set(std);

  const apply = (dst: Float32Array, src: Uint8Array) => {
    const n = src.length / d;
    for (let i = 0; i < n; i++) {
      const row = i * d;
      for (let j = 0; j < d; j++) dst[row + j] = (src[row + j] / 255 - mean[j]) / std[j];
    }
  };
  const nVal = out.validation.n;
  apply(out.train.x, px.subarray(0, nTrain * d));
  apply(out.validation.x, px.subarray(nTrain * d, (nTrain + nVal) * d));
  apply(out.test.x, raw.test.pixels);
  out.train.y.set(raw.train.labels.subarray(0, nTrain));
  out.validation.y.set(raw.train.labels.subarray(nTrain, nTrain + nVal));
  out.test.y.set(raw.test.labels);
}
