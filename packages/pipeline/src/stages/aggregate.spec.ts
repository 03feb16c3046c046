import { describe, expect, it } from 'vitest';
import type { SearchTrial } from '@bnlab/report';
import { mean, meanStd, rankTrials, sampleStd } from './aggregate.js';

const t = (lambda: number, validation: number, diverged = false): SearchTrial => ({
  lambda,
  seed: 1,
  hash: String(lambda).padEnd(64, '0'),
  accuracy: { train: 0.5, validation, test: 0.4 },
  cost: { train: 1, validation: 1, test: 1 },
  diverged,
});

describe('rankTrials', () => {
  it('orders by validation accuracy, diverged last, ties in draw order', () => {
    const trials = [t(1, 0.3), t(2, 0.9, true), t(3, 0.5), t(4, 0.3), t(5, 0.5), t(6, 0.1)];
    expect(rankTrials(trials).map((x) => x.lambda)).toEqual([3, 5, 1, 4, 6, 2]);
    // The input is not reordered.
    expect(trials.map((x) => x.lambda)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('ranks several diverged trials among themselves by validation accuracy', () => {
    expect(rankTrials([t(1, 0.1, true), t(2, 0.2, true), t(3, 0.05)]).map((x) => x.lambda)).toEqual([3, 2, 1]);
  });
});

describe('mean and sample std', () => {
  it('match a hand computation', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x − 5)² = 32, sample variance 32/7.
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    expect(sampleStd(xs)).toBeCloseTo(Math.sqrt(32 / 7), 15);
    expect(sampleStd([0.25])).toBe(0);
    expect(() => mean([])).toThrow('no values');
  });
  it('summarise each split separately', () => {
    // train 0.6, 0.7 → mean 0.65, std √(2·0.05²/1) = 0.0707…; validation constant → std 0.
    const { mean: m, std: s } = meanStd([
      { train: 0.6, validation: 0.5, test: 0.1 },
      { train: 0.7, validation: 0.5, test: 0.4 },
    ]);
    expect(m.train).toBeCloseTo(0.65, 15);
    expect(m.validation).toBe(0.5);
    expect(m.test).toBeCloseTo(0.25, 15);
    expect(s.train).toBeCloseTo(Math.SQRT2 * 0.05, 15);
    expect(s.validation).toBe(0);
    expect(s.test).toBeCloseTo(Math.SQRT2 * 0.15, 15);
  });
});
