import { describe, expect, it } from 'vitest';
import { cloneRng, createRng, nextU32, normal, randInt, shuffle, uniform } from './rng.js';

// Known answers from an independent C implementation of SplitMix64 seeding and xoshiro128**
// (uint32_t arithmetic, https://prng.di.unimi.it/xoshiro128starstar.c), compiled with gcc.
describe('xoshiro128** seeded by SplitMix64', () => {
  it('matches the C reference output for seeds 0, 1 and 42', () => {
    const expected: Record<number, number[]> = {
      0: [3737715805, 2584255861, 2876756834, 3286328325, 1553311962, 1625202774],
      1: [1695105466, 1423115009, 634581793, 1068227753, 716759206, 4186505319],
      42: [1776835114, 4165204688, 17111135, 2317295270, 2792088233, 2554630222],
    };
    for (const [seed, outputs] of Object.entries(expected)) {
      const rng = createRng(Number(seed));
      expect(outputs.map(() => nextU32(rng)), `seed ${seed}`).toEqual(outputs);
    }
  });

  it('makes 53-bit uniforms from two outputs, as the C reference does', () => {
    const expected: Record<number, number> = { 0: 0.75919063867070502, 1: 0.87956302338214354, 42: 0.68460201861414161 };
    for (const [seed, u] of Object.entries(expected)) {
      const rng = createRng(Number(seed));
      for (let i = 0; i < 6; i++) nextU32(rng);
      expect(uniform(rng), `seed ${seed}`).toBe(u);
    }
  });

  it('normal samples follow the polar method (C reference with glibc log, to 1e-15)', () => {
    const rng = createRng(3);
    const expected = [-0.28360438826686163, 1.9811419434072999, 0.17322780339837551, 0.40257447087683851, 0.57071955698349475, 0.39174057994906225];
    for (const [i, e] of expected.entries()) {
      const z = normal(rng);
      expect(Math.abs(z - e), `normal #${i} = ${z}, C reference ${e}`).toBeLessThan(1e-15);
    }
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => createRng(1.5)).toThrow(/seed 1.5/);
    expect(() => createRng(2 ** 60)).toThrow(/not a safe integer/);
  });

  it('uniform, randInt and normal have the right range and moments over 200k draws', () => {
    const rng = createRng(11);
    const n = 200_000;
    let su = 0, sz = 0, sz2 = 0, min = 1, max = 0;
    const counts = new Array(7).fill(0);
    for (let i = 0; i < n; i++) {
      const u = uniform(rng);
      su += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
      counts[randInt(rng, 7)]++;
      const z = normal(rng);
      sz += z;
      sz2 += z * z;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // standard errors: uniform mean 0.00065, normal mean 0.0022, normal variance 0.0032, counts ~ 155
    expect(Math.abs(su / n - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(sz / n)).toBeLessThan(0.01);
    expect(Math.abs(sz2 / n - 1)).toBeLessThan(0.015);
    for (const c of counts) expect(Math.abs(c - n / 7), `randInt(7) count ${c}`).toBeLessThan(800);
  });

  it('randInt stays in range when rejection is needed (n = 3·2³⁰) and at n = 1 and 2³²', () => {
    const rng = createRng(5);
    for (let i = 0; i < 1000; i++) {
      const x = randInt(rng, 3 * 2 ** 30);
      expect(x >= 0 && x < 3 * 2 ** 30 && Number.isInteger(x)).toBe(true);
    }
    expect(randInt(rng, 1)).toBe(0);
    expect(randInt(rng, 2 ** 32)).toBeLessThan(2 ** 32);
    expect(() => randInt(rng, 0)).toThrow(/range 0/);
  });

  it('shuffle is a permutation, reproducible per seed, and different across seeds', () => {
    const perm = (seed: number) => {
      const a = Uint32Array.from({ length: 100 }, (_, i) => i);
      shuffle(createRng(seed), a);
      return Array.from(a);
    };
    const a = perm(1);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(perm(1)).toEqual(a);
    expect(perm(2)).not.toEqual(a);
    expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('cloneRng copies the whole state, the polar spare included', () => {
    const rng = createRng(9);
    normal(rng); // leaves a spare
    const copy = cloneRng(rng);
    const seq = () => [normal(rng), uniform(rng), nextU32(rng)];
    const a = seq();
    expect([normal(copy), uniform(copy), nextU32(copy)]).toEqual(a);
  });
});
