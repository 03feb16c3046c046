import { describe, expect, it } from 'vitest';
import { createRng, uniform } from '@bnlab/engine';
import { drawAround, drawSpace } from './search.js';

describe('search draws', () => {
  it('log-uniform: 10^u with u = log10 a + (log10 b − log10 a)·U from the stage seed, in draw order', () => {
    const rng = createRng(7);
    const [u1, u2] = [uniform(rng), uniform(rng)];
    const [a, b] = drawSpace([{ name: 'lambda', dist: { logUniform: [1e-5, 1e-1] } }], 2, 7).map((v) => v.lambda as number);
    expect(Math.log10(a)).toBeCloseTo(-5 + 4 * u1, 12);
    expect(Math.log10(b)).toBeCloseTo(-5 + 4 * u2, 12);
  });

  it('one uniform number per option, options in declared order within a sample; integers rounded; choice by index', () => {
    const rng = createRng(3);
    const us = Array.from({ length: 6 }, () => uniform(rng));
    const space = [
      { name: 'etaMax', dist: { uniform: [0.1, 0.5] as [number, number] } },
      { name: 'batch', dist: { uniform: [10, 200] as [number, number] }, integer: true },
      { name: 'net', dist: { choice: ['a', 'b', 'c'] } },
    ];
    const d = drawSpace(space, 2, 3);
    expect(d[0].etaMax).toBeCloseTo(0.1 + 0.4 * us[0], 15);
    expect(d[0].batch).toBe(Math.round(10 + 190 * us[1]));
    expect(d[0].net).toBe(['a', 'b', 'c'][Math.floor(us[2] * 3)]);
    expect(d[1].etaMax).toBeCloseTo(0.1 + 0.4 * us[3], 15);
  });

  it('repeat exactly for a seed and differ for another', () => {
    const space = [{ name: 'lambda', dist: { logUniform: [1e-5, 1e-1] as [number, number] } }];
    expect(drawSpace(space, 50, 1)).toEqual(drawSpace(space, 50, 1));
    expect(drawSpace(space, 50, 1)).not.toEqual(drawSpace(space, 50, 2));
  });

  it('are log-uniform over [a, b)', () => {
    const xs = drawSpace([{ name: 'lambda', dist: { logUniform: [1e-5, 1e-1] } }], 4000, 3).map((v) => Math.log10(v.lambda as number));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-5);
    expect(Math.max(...xs)).toBeLessThan(-1);
    // U(−5, −1) has mean −3 and std 4/√12 ≈ 1.155: the mean of 4000 draws is within 0.06 (3 σ/√n) of −3.
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length + 3)).toBeLessThan(0.06);
  });
});

describe('refine draws', () => {
  const lambda = (w: { relative: number } | { absolute: number }, lo = 0, hi = 10) => [{ name: 'lambda', width: w, lo, hi }];

  it('absolute: centre + w·(2U − 1), centre by centre from one generator; other kept values carried', () => {
    const rng = createRng(2);
    const us = Array.from({ length: 4 }, () => uniform(rng));
    const d = drawAround([{ lambda: 0.004, net: 'x' }, { lambda: 0.0075, net: 'y' }], lambda({ absolute: 0.00025 }), 2, 2);
    expect(d[0][0].lambda).toBeCloseTo(0.004 + 0.00025 * (2 * us[0] - 1), 15);
    expect(d[0][1].lambda).toBeCloseTo(0.004 + 0.00025 * (2 * us[1] - 1), 15);
    expect(d[1][0].lambda).toBeCloseTo(0.0075 + 0.00025 * (2 * us[2] - 1), 15);
    expect(d[1][1]).toMatchObject({ net: 'y' });
  });

  it('relative: within ±r·centre', () => {
    const [a, b] = drawAround([{ lambda: 0.001 }, { lambda: 0.05 }], lambda({ relative: 0.1 }), 500, 9);
    for (const x of a) expect(Math.abs((x.lambda as number) - 0.001)).toBeLessThanOrEqual(0.0001 + 1e-18);
    for (const x of b) expect(Math.abs((x.lambda as number) - 0.05)).toBeLessThanOrEqual(0.005 + 1e-17);
  });

  it('clips draws to [lo, hi]', () => {
    // Centre 1e-5, half-width 2.5e-4: a draw is below 1e-6 when U < 0.482, about 96 of 200.
    const [ds] = drawAround([{ lambda: 1e-5 }], lambda({ absolute: 0.00025 }, 1e-6), 200, 4);
    const xs = ds.map((d) => d.lambda as number);
    const clipped = xs.filter((x) => x === 1e-6).length;
    expect(Math.min(...xs)).toBe(1e-6);
    expect(clipped).toBeGreaterThan(70);
    expect(clipped).toBeLessThan(140);
  });
});
