// Synthetic data in the prepared-data layout, for the benchmark and tests that need the real trial
// worker without real images.
import { createRng, normal, randInt } from '@bnlab/engine';
import { assemble, byteLength, fingerprintOf, viewsOf, type PreparedDataset } from './layout.js';

/**
 * Gaussian inputs and uniform labels, d dimensions and K classes (default CIFAR-10's shape), in one
 * SharedArrayBuffer (worker threads share it as they share real data); validation and test splits of
 * `held` rows each.
 */
export function syntheticPrepared(train: number, held: number, d = 3072, K = 10): PreparedDataset {
  const splits = { train, validation: held, test: held };
  const buffer = new SharedArrayBuffer(byteLength(d, splits));
  const views = viewsOf(buffer, d, splits);
  const rng = createRng(1);
  views.std.fill(1);
  for (const split of [views.train, views.validation, views.test]) {
    for (let i = 0; i < split.x.length; i++) split.x[i] = normal(rng);
    for (let i = 0; i < split.n; i++) split.y[i] = randInt(rng, K);
  }
  const header = { dataset: 'cifar10' as const, d, K, classes: Array.from({ length: K }, (_, i) => `class ${i}`), splits };
  return assemble({ ...header, fingerprint: fingerprintOf(header, views) }, 'synthetic', buffer);
}

