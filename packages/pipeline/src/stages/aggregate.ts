// Pure aggregation helpers shared by the stages: ranking search trials and summarising runs.
import type { Split3 } from '@bnlab/report';

/**
 * Best first: finished trials by validation accuracy (higher first), diverged trials last; ties keep
 * draw order (Array.prototype.sort is stable), so the ranking is a pure function of the trials.
 */
export function rankTrials<T extends { diverged: boolean; accuracy: Split3 }>(trials: readonly T[]): T[] {
  return [...trials].sort((a, b) => Number(a.diverged) - Number(b.diverged) || b.accuracy.validation - a.accuracy.validation);
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('mean of no values');
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

export function meanStd(splits: readonly Split3[]): { mean: Split3; std: Split3 } {
  const col = (k: keyof Split3) => splits.map((s) => s[k]);
  return {
    mean: { train: mean(col('train')), validation: mean(col('validation')), test: mean(col('test')) },
    std: { train: sampleStd(col('train')), validation: sampleStd(col('validation')), test: sampleStd(col('test')) },
  };
}
