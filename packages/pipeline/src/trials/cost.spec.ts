import { describe, expect, it } from 'vitest';
import { calibrate, forwardMacs, rateFromTimings, trialWork } from './cost.js';

describe('the cost model', () => {
  it('counts a forward pass: 3072·50 + 50·50 + 50·10 for the 3-layer net on CIFAR-10', () => {
    expect(forwardMacs([50, 50], 3072, 10)).toBe(156600);
    expect(forwardMacs([], 4, 3)).toBe(12);
  });

  it('a trial by hand: [2] on d 3, K 2; batch 4, n_s 1, one cycle, one point; 5/1/2 images', () => {
    // forward 3·2 + 2·2 = 10; 2 updates × 4 samples × 3 passes = 24; 2 history points × 6 images = 12;
    // the closing evaluation 5 + 1 + 2 = 8: 10 · 44
    expect(trialWork({ hidden: [2], batch: 4, ns: 1, cycles: 1, pointsPerCycle: 1 }, { d: 3, K: 2, train: 5, validation: 1, test: 2 })).toBe(440);
  });

  it('a rate from stored timings needs 3 trials, and weighs them by their work', () => {
    expect(rateFromTimings([{ work: 10, seconds: 1 }, { work: 10, seconds: 1 }])).toBeUndefined();
    expect(rateFromTimings([{ work: 100, seconds: 1 }, { work: 50, seconds: 2 }, { work: 150, seconds: 3 }])).toBe(50);
  });

  it('calibration times a real training: a finite rate, and the clock it is given decides it', () => {
    let t = 0;
    const rate = calibrate('ts-f64', 1, 20, 10, () => (t += 500)); // every reading 0.5 s later: 0.5 s measured
    const work = trialWork({ hidden: [50, 50], batch: 100, ns: 20, cycles: 1, pointsPerCycle: 1 }, { d: 20, K: 10, train: 1000, validation: 100, test: 100 });
    expect(rate).toBeCloseTo(work / 0.5, 6);
    expect(Number.isFinite(calibrate('ts-f64', 1, 20, 10))).toBe(true);
  });
});
