import { describe, expect, it } from 'vitest';
import { mean, std, welch } from './stats.js';

describe('stats', () => {
  it('mean and sample std of a hand-worked case', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x − 5)² = 32, sample variance 32 / 7.
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    expect(std(xs)).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect(std([3])).toBeNaN();
  });

  it('welch: interval of a hand-computed case', () => {
    // a = [1, 2, 3] (mean 2, s² 1), b = [4, 6, 8, 10] (mean 7, s² 20/3).
    // se² = 1/3 + 5/3 = 2; ν = 4 / ((1/3)²/2 + (5/3)²/3) = 4 / (1/18 + 25/27) = 4 / (53/54) = 216/53 ≈ 4.0755.
    // t(0.975, 216/53) = 2.7562848743595714 (scipy.stats.t.ppf, computed outside this code base).
    const w = welch([1, 2, 3], [4, 6, 8, 10]);
    expect(w.diff).toBe(5);
    expect(w.interval!.df).toBeCloseTo(216 / 53, 12);
    const half = (w.interval!.hi - w.interval!.lo) / 2;
    expect(Math.abs(half - 2.7562848743595714 * Math.SQRT2), `half-width ${half}`).toBeLessThan(1e-9);
    expect(w.interval!.lo).toBeCloseTo(5 - half, 12);
    expect(w.withinNoise).toBe(false);
  });

  it('welch: equal-size equal-variance case reduces to the pooled t interval', () => {
    // n = 5 each, s² equal → ν = 2(n − 1) = 8, se = s√(2/n); t(0.975, 8) = 2.306 (table).
    const a = [0.50, 0.52, 0.54, 0.56, 0.58];
    const b = a.map((x) => x + 0.01);
    const w = welch(a, b);
    expect(w.interval!.df).toBeCloseTo(8, 10);
    const se = std(a) * Math.sqrt(2 / 5);
    expect(w.interval!.hi - w.diff).toBeCloseTo(2.306 * se, 3);
    expect(w.withinNoise, `diff ${w.diff} with [${w.interval!.lo}, ${w.interval!.hi}]`).toBe(true);
  });

  it('welch: undefined with one seed, a point with zero variance', () => {
    expect(welch([0.5], [0.6, 0.7]).interval).toBeNull();
    expect(welch([0.5], [0.6, 0.7]).withinNoise).toBe(false);
    const w = welch([0.1, 0.1], [0.5, 0.5]);
    expect(w.interval).toMatchObject({ lo: 0.4, hi: 0.4 });
    expect(w.withinNoise).toBe(false);
  });
});
