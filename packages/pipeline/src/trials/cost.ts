// The cost model behind every time estimate: a trial's work in multiply-adds, from its configuration
// and the sizes of the data it trains on, and this machine's rate in multiply-adds per second per
// worker, from stored trial timings (meta.computeSeconds) or a short calibration run.
import { createKernel, train, type Dataset } from '@bnlab/engine';

/** What a trial's cost depends on (λ, the seed and the learning rates do not change it). */
export interface TrialShape {
  hidden: number[];
  batch: number;
  /** n_s in updates. */
  ns: number;
  cycles: number;
  pointsPerCycle: number;
}

export interface DataSizes {
  d: number;
  K: number;
  train: number;
  validation: number;
  test: number;
}

/** Multiply-adds of one sample's forward pass: d·h1 + h1·h2 + … + hk·K. */
export function forwardMacs(hidden: number[], d: number, K: number): number {
  const widths = [d, ...hidden, K];
  let macs = 0;
  for (let l = 1; l < widths.length; l++) macs += widths[l - 1] * widths[l];
  return macs;
}

/**
 * A trial's multiply-adds: 2·n_s·cycles updates of a batch, forward and backward (about 3 forward
 * passes), plus the history's evaluations of the training and validation splits (pointsPerCycle per
 * cycle and the start) and the closing evaluation of all three splits.
 */
export function trialWork(t: TrialShape, s: DataSizes): number {
  const macs = forwardMacs(t.hidden, s.d, s.K);
  const updates = 2 * t.ns * t.cycles;
  const points = t.pointsPerCycle * t.cycles + 1;
  return macs * (3 * updates * t.batch + points * (s.train + s.validation) + s.train + s.validation + s.test);
}

/** The shape part of a trial record's configuration. */
export function shapeOf(config: Record<string, unknown>): TrialShape {
  const c = config as unknown as TrialShape;
  return { hidden: c.hidden, batch: c.batch, ns: c.ns, cycles: c.cycles, pointsPerCycle: c.pointsPerCycle };
}

export interface Rate {
  /** Multiply-adds per second of one worker. */
  macsPerSecond: number;
  /** Where it comes from, for the plan's line. */
  source: string;
}

/** Stored timings make a rate once there are enough of them to average out one slow trial. */
export const MIN_TIMED_TRIALS = 3;

/** Σ work / Σ compute seconds of timed trials (each trial timed under the concurrency it ran with). */
export function rateFromTimings(timed: { work: number; seconds: number }[]): number | undefined {
  if (timed.length < MIN_TIMED_TRIALS) return undefined;
  const work = timed.reduce((a, t) => a + t.work, 0);
  const seconds = timed.reduce((a, t) => a + t.seconds, 0);
  return seconds > 0 ? work / seconds : undefined;
}

/**
 * Times a short training of the 3-layer [50, 50] net with batch norm on synthetic data of the study's
 * shape, with this kernel and thread count: about a quarter of a second.
 */
export function calibrate(kernelId: string, threads: number, d: number, K: number, now: () => number = () => performance.now()): number {
  const sizes: DataSizes = { d, K, train: 1000, validation: 100, test: 100 };
  const split = (n: number, seed: number) => {
    const x = new Float32Array(n * d);
    let s = seed;
    for (let i = 0; i < x.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      x[i] = s / 2 ** 31 - 1;
    }
    return { x, y: Uint8Array.from({ length: n }, (_, i) => i % K), n };
  };
  const data: Dataset = { d, K, train: split(sizes.train, 1), validation: split(sizes.validation, 2), test: split(sizes.test, 3) };
  const shape: TrialShape = { hidden: [50, 50], batch: 100, ns: 20, cycles: 1, pointsPerCycle: 1 };
  const kernel = createKernel(kernelId, { threads });
  try {
    const config = { ...shape, batchNorm: true, init: { kind: 'he' as const }, lambda: 0.005, etaMin: 1e-5, etaMax: 0.1, seed: 1 };
    train(kernel, data, { ...config, ns: 2 }); // warm-up: compilation and first allocations
    const start = now();
    train(kernel, data, config);
    const seconds = (now() - start) / 1000;
    return trialWork(shape, sizes) / Math.max(seconds, 1e-6);
  } finally {
    kernel.dispose?.();
  }
}
