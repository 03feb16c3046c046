// Float32 training reaches float64's test accuracy (issue 7): the 3-layer [50, 50] net with batch norm,
// the reference hyper-parameters, 2 cycles, on the real CIFAR-10 subset (data/cifar-10-batches-bin or
// $BNLAB_CIFAR10_DIR), on ts-f64 and on each fast f32 kernel with the same seeds.
//
// Why the mean of three seeds and not one: float32 rounding sends the trajectory elsewhere, by about as
// much as another seed does, and 1 pp is 10 of the 1017 test images. Measured here (seeds 1–6, test %):
// ts-f64 41.40 40.02 40.02 39.23 40.81 41.00; wasm-simd-f32 39.82 41.10 40.12 39.63 40.81 41.99;
// wasm-relaxed-fma-f32 41.40 42.28 40.71 38.74 40.81 41.30. One seed differs by up to 2.3 pp either way;
// the means of seeds 1–3 by −0.1 and +1.0 pp. So the check is the "reaches": the float32 mean is
// at most 1 pp below the float64 mean. One recording point per cycle keeps the evaluation passes (which
// do not change the trajectory) to a minimum. The committed fixture's 100 test images are too few for
// a 1 pp check, so without the subset this skips (CI links it).
import { beforeAll, expect, it } from 'vitest';
import { createKernel, defaultKernelId, nsFromEpochs, train, type Dataset, type TrainResult } from '@bnlab/engine';
import { prepareDataset } from '../packages/pipeline/src/data/index.js';
import { cifar10Dir as subset } from './helpers/cifar10.js';
import { CIFAR10_SUBSET, describeWith } from './helpers/requires.js';

const F32_KERNELS = [...new Set([defaultKernelId(), 'wasm-simd-f32'])];
const SEEDS = [1, 2, 3];

let data: Dataset;
/** Test accuracy in % of each seed's run (a fresh kernel per training: a WASM kernel never frees). */
function accuracies(id: string): { runs: TrainResult[]; pct: number[]; mean: number } {
  const runs = SEEDS.map((seed) => train(createKernel(id), data, {
    hidden: [50, 50], batchNorm: true, init: { kind: 'he' }, lambda: 0.005, etaMin: 1e-5, etaMax: 1e-1,
    batch: 100, ns: nsFromEpochs(5, data.train.n, 100), cycles: 2, seed, pointsPerCycle: 1,
  }).result);
  const pct = runs.map((r) => 100 * r.accuracy.test);
  return { runs, pct, mean: pct.reduce((a, b) => a + b, 0) / pct.length };
}
const show = (a: { pct: number[]; mean: number }) => `${a.pct.map((p) => p.toFixed(2)).join(', ')} (mean ${a.mean.toFixed(2)} %)`;

let f64: ReturnType<typeof accuracies>;

describeWith([CIFAR10_SUBSET], 'float32 kernels vs ts-f64 on the CIFAR-10 subset (3-layer [50, 50] with batch norm, 2 cycles, seeds 1–3)', () => {
  beforeAll(async () => {
    data = await prepareDataset({ dataset: 'cifar10', dir: subset, workspaceRoot: subset, env: {}, cacheDir: null });
    f64 = accuracies('ts-f64');
  });

  it('the float64 runs learn and do not diverge', () => {
    expect(f64.runs.map((r) => r.diverged)).toEqual(SEEDS.map(() => false));
    // chance is 10 %; the engine README measures about 40 % test for this net
    for (const p of f64.pct) expect(p, `ts-f64 test accuracy ${show(f64)}`).toBeGreaterThan(30);
  });

  it.each(F32_KERNELS)('%s: mean test accuracy at most 1 percentage point below ts-f64', (id) => {
    const f32 = accuracies(id);
    expect(f32.runs.map((r) => r.diverged)).toEqual(SEEDS.map(() => false));
    const msg = `${id} test ${show(f32)} vs ts-f64 ${show(f64)}: ${(f64.mean - f32.mean).toFixed(2)} pp below > 1`;
    expect(f32.mean, msg).toBeGreaterThanOrEqual(f64.mean - 1);
  });
});
