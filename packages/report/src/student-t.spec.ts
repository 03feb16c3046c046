import { describe, expect, it } from 'vitest';
import { incompleteBeta, logGamma, tCdf, tQuantile } from './student-t.js';

describe('Student t', () => {
  // Two-sided 95 % critical values from a printed t table (3 decimals).
  const table: [number, number][] = [
    [1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [9, 2.262], [10, 2.228],
    [20, 2.086], [30, 2.042], [60, 2.0], [120, 1.98],
  ];
  it.each(table)('t(0.975, %d) matches the table value %d', (df, expected) => {
    const t = tQuantile(0.975, df);
    expect(Math.abs(t - expected), `t(0.975, ${df}) = ${t}, table ${expected}`).toBeLessThan(6e-4);
  });

  it('matches other table columns: t(0.95, 7) = 1.895, t(0.995, 12) = 3.055, t(0.999, 3) = 10.215', () => {
    expect(tQuantile(0.95, 7)).toBeCloseTo(1.895, 3);
    expect(tQuantile(0.995, 12)).toBeCloseTo(3.055, 3);
    expect(tQuantile(0.999, 3)).toBeCloseTo(10.215, 3);
  });

  it('matches the closed forms for df = 1 (Cauchy), 2 and 4 to 1e-9', () => {
    for (const p of [0.6, 0.75, 0.9, 0.975, 0.995, 0.9999]) {
      const cauchy = Math.tan(Math.PI * (p - 0.5));
      const two = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
      const alpha = 4 * p * (1 - p);
      const q = Math.cos(Math.acos(Math.sqrt(alpha)) / 3) / Math.sqrt(alpha);
      const four = 2 * Math.sqrt(q - 1);
      expect(Math.abs(tQuantile(p, 1) - cauchy) / cauchy, `df 1 p ${p}`).toBeLessThan(1e-9);
      expect(Math.abs(tQuantile(p, 2) - two) / two, `df 2 p ${p}`).toBeLessThan(1e-9);
      expect(Math.abs(tQuantile(p, 4) - four) / four, `df 4 p ${p}`).toBeLessThan(1e-9);
    }
  });

  it('matches scipy.stats.t.ppf for non-integer df (values computed outside this code base)', () => {
    expect(Math.abs(tQuantile(0.975, 4.3) - 2.70169489828223)).toBeLessThan(1e-9);
    expect(Math.abs(tCdf(2, 3) - 0.9303370157205785)).toBeLessThan(1e-12);
  });

  it('tends to the normal quantile 1.959964 for large df', () => {
    expect(tQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
  });

  it('is antisymmetric, 0 at the median, and inverts the CDF for non-integer df', () => {
    expect(tQuantile(0.5, 3.7)).toBe(0);
    for (const df of [0.7, 1.5, 4.3, 17.25]) {
      for (const p of [0.01, 0.2, 0.8, 0.975]) {
        const t = tQuantile(p, df);
        expect(tQuantile(1 - p, df)).toBeCloseTo(-t, 10);
        expect(Math.abs(tCdf(t, df) - p), `cdf(t(${p}, ${df}))`).toBeLessThan(1e-12);
      }
    }
  });

  it('the CDF matches the Cauchy CDF for df = 1 and is monotone between df', () => {
    for (const t of [-5, -0.3, 0, 0.4, 2, 30]) {
      expect(tCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
    }
    // Heavier tails for fewer degrees of freedom.
    expect(tCdf(2, 3)).toBeLessThan(tCdf(2, 10));
  });

  it('logGamma and the incomplete beta agree with exact values', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    // I_x(1, b) = 1 − (1 − x)^b ; I_x(a, 1) = x^a.
    expect(incompleteBeta(0.3, 1, 4)).toBeCloseTo(1 - 0.7 ** 4, 12);
    expect(incompleteBeta(0.3, 2.5, 1)).toBeCloseTo(0.3 ** 2.5, 12);
  });

  it('rejects p outside (0, 1) and df ≤ 0', () => {
    expect(() => tQuantile(1, 3)).toThrow(/p must be in/);
    expect(() => tQuantile(0.9, 0)).toThrow(/df must be > 0/);
  });
});
