import { describe, expect, it } from 'vitest';
import { cyclicalEta, nsFromEpochs } from './schedule.js';

describe('cyclical learning rate', () => {
  const [lo, hi, ns] = [1e-5, 1e-1, 500];
  it('is etaMin at the start of each cycle and etaMax at each half-cycle', () => {
    for (const t of [0, 2 * ns, 4 * ns, 10 * ns]) expect(cyclicalEta(t, lo, hi, ns), `t = ${t}`).toBe(lo);
    for (const t of [ns, 3 * ns, 7 * ns]) expect(cyclicalEta(t, lo, hi, ns), `t = ${t}`).toBe(hi);
  });

  it('ramps linearly in between (hand-computed mid-ramp points)', () => {
    // t = ns/2: halfway up; t = 3ns/2: halfway down; t = ns/5 in cycle 2 (t = 2ns + 100): a fifth up
    expect(cyclicalEta(250, lo, hi, ns)).toBeCloseTo((lo + hi) / 2, 15);
    expect(cyclicalEta(750, lo, hi, ns)).toBeCloseTo((lo + hi) / 2, 15);
    expect(cyclicalEta(1100, lo, hi, ns)).toBeCloseTo(lo + 0.2 * (hi - lo), 15);
    expect(cyclicalEta(1900, lo, hi, ns)).toBeCloseTo(lo + 0.2 * (hi - lo), 15);
    expect(cyclicalEta(1, 0, 1, 4)).toBe(0.25);
    expect(cyclicalEta(6, 0, 1, 4)).toBe(0.5);
  });

  it('ns from epochs is k·⌊n/batch⌋ (the reference: 5 epochs of 45000 at batch 100 → 2250)', () => {
    expect(nsFromEpochs(5, 45000, 100)).toBe(2250);
    expect(nsFromEpochs(2, 4170, 100)).toBe(82);
    expect(nsFromEpochs(1, 99, 100)).toBe(0);
  });
});
