// Synthetic classification data from the engine's RNG, for tests, the benchmark and `--synthetic`
// checks: K Gaussian classes in d dimensions. Each class has a centre drawn N(0, separation²) per
// dimension; a sample is its class centre plus N(0, 1) noise; labels are uniform. Larger separation
// makes the classes easier to tell apart (0 gives pure noise).
import type { Dataset } from './train.js';
import type { Split } from './network.js';
import { createRng, normal, randInt, type Rng } from './rng.js';

export interface SyntheticOptions {
  d: number;
  K: number;
  train: number;
  validation: number;
  test: number;
  seed: number;
  /** Standard deviation of the class centres (default 1). */
  separation?: number;
}

export function syntheticDataset(o: SyntheticOptions): Dataset {
  if (!(o.K >= 2 && o.K <= 256)) throw new Error(`synthetic data: K = ${o.K} must be in [2, 256] (labels are bytes)`);
  const rng = createRng(o.seed);
  const separation = o.separation ?? 1;
  const centres = new Float64Array(o.K * o.d);
  for (let i = 0; i < centres.length; i++) centres[i] = separation * normal(rng);
  const split = (n: number) => syntheticSplit(rng, centres, n, o.d, o.K);
  return { d: o.d, K: o.K, train: split(o.train), validation: split(o.validation), test: split(o.test) };
}

function syntheticSplit(rng: Rng, centres: Float64Array, n: number, d: number, K: number): Split {
  const x = new Float32Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = randInt(rng, K);
    y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c * d + j] + normal(rng);
  }
  return { x, y, n };
}
