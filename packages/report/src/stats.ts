// Summary statistics over seeds and Welch's confidence interval for a difference of two means.
import { tQuantile } from './student-t.js';

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n − 1); NaN for fewer than 2 values. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); NaN when n < 2. */
  std: number;
  min: number;
  max: number;
}

export function summarize(xs: readonly number[]): Summary {
  return { n: xs.length, mean: mean(xs), std: std(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

export interface Welch {
  /** mean(b) − mean(a). */
  diff: number;
  /** Undefined (null) when either sample has fewer than 2 values: there is no variance to estimate. */
  interval: { lo: number; hi: number; df: number; level: number } | null;
  /** The interval contains 0 (false when the interval is undefined). */
  withinNoise: boolean;
}

/**
 * Welch's interval for mean(b) − mean(a): diff ± t(1 − α/2, ν)·se, se² = s_a²/n_a + s_b²/n_b, with the
 * Welch–Satterthwaite ν = se⁴ / ((s_a²/n_a)²/(n_a − 1) + (s_b²/n_b)²/(n_b − 1)). When both samples have
 * zero variance the interval is the point diff itself (ν is reported as NaN).
 */
export function welch(a: readonly number[], b: readonly number[], level = 0.95): Welch {
  const diff = mean(b) - mean(a);
  if (a.length < 2 || b.length < 2) return { diff, interval: null, withinNoise: false };
  const va = std(a) ** 2 / a.length;
  const vb = std(b) ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { diff, interval: { lo: diff, hi: diff, df: NaN, level }, withinNoise: diff === 0 };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = tQuantile(1 - (1 - level) / 2, df) * se;
  const lo = diff - half;
  const hi = diff + half;
  return { diff, interval: { lo, hi, df, level }, withinNoise: lo <= 0 && hi >= 0 };
}
