import { describe, expect, it } from 'vitest';
import { createRng, uniform } from '@bnlab/engine';
import { coarseLambdas, fineLambdas } from './search.js';

describe('coarse λ draws', () => {
  it('are 10^u with u = min + (max − min)·U from the stage seed, in draw order', () => {
    const rng = createRng(7);
    const u1 = uniform(rng);
    const u2 = uniform(rng);
    const [a, b] = coarseLambdas(-5, -1, 2, 7);
    expect(Math.log10(a)).toBeCloseTo(-5 + 4 * u1, 12);
    expect(Math.log10(b)).toBeCloseTo(-5 + 4 * u2, 12);
  });

  it('repeat exactly for a seed and differ for another', () => {
    expect(coarseLambdas(-5, -1, 50, 1)).toEqual(coarseLambdas(-5, -1, 50, 1));
    expect(coarseLambdas(-5, -1, 50, 1)).not.toEqual(coarseLambdas(-5, -1, 50, 2));
  });

  it('are log-uniform over [10^min, 10^max)', () => {
    const xs = coarseLambdas(-5, -1, 4000, 3).map(Math.log10);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-5);
    expect(Math.max(...xs)).toBeLessThan(-1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    // U(−5, −1) has mean −3 and std 4/√12 ≈ 1.155: the mean of 4000 draws is within 0.06 (3 σ/√n) of −3.
    expect(Math.abs(mean + 3)).toBeLessThan(0.06);
    const quarter = xs.filter((x) => x < -4).length / xs.length;
    expect(Math.abs(quarter - 0.25)).toBeLessThan(0.03);
  });
});

describe('fine λ draws', () => {
  it('are centre + halfWidth·(2U − 1), centre by centre from one generator', () => {
    const rng = createRng(2);
    const us = Array.from({ length: 4 }, () => uniform(rng));
    const d = fineLambdas([0.004, 0.0075], 0.00025, 1e-6, 2, 2);
    expect(d[0][0]).toBeCloseTo(0.004 + 0.00025 * (2 * us[0] - 1), 15);
    expect(d[0][1]).toBeCloseTo(0.004 + 0.00025 * (2 * us[1] - 1), 15);
    expect(d[1][0]).toBeCloseTo(0.0075 + 0.00025 * (2 * us[2] - 1), 15);
    expect(d[1][1]).toBeCloseTo(0.0075 + 0.00025 * (2 * us[3] - 1), 15);
  });

  it('stay within ±halfWidth of their centre', () => {
    const centres = [0.001, 0.05];
    fineLambdas(centres, 0.0005, 1e-6, 500, 9).forEach((ds, c) => {
      for (const x of ds) expect(Math.abs(x - centres[c])).toBeLessThanOrEqual(0.0005);
    });
  });

  it('clip draws below the floor to the floor', () => {
    // Centre 1e-5, half-width 2.5e-4: a draw is below 1e-6 when U < 0.482, about 96 of 200.
    const [ds] = fineLambdas([1e-5], 0.00025, 1e-6, 200, 4);
    const clipped = ds.filter((x) => x === 1e-6).length;
    expect(Math.min(...ds)).toBe(1e-6);
    expect(clipped).toBeGreaterThan(70);
    expect(clipped).toBeLessThan(140);
    expect(ds.filter((x) => x !== 1e-6).every((x) => x > 1e-6)).toBe(true);
  });
});
