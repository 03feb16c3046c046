import { describe, expect, it } from 'vitest';
import { createTsKernel } from './kernels/ts.js';
import { cyclicalEta } from './schedule.js';
import { syntheticDataset } from './synthetic.js';
import { normalizeTrainConfig, recordingPoints, train, type TrainConfig, type TrainProgress } from './train.js';

const data = syntheticDataset({ d: 12, K: 3, train: 300, validation: 60, test: 60, seed: 5, separation: 1.5 });
const base: TrainConfig = {
  hidden: [10, 8], batchNorm: true, init: { kind: 'he' }, lambda: 0.001,
  etaMin: 1e-4, etaMax: 0.1, batch: 20, ns: 30, cycles: 2, seed: 1, pointsPerCycle: 5,
};

describe('training', () => {
  for (const batchNorm of [true, false]) {
    it(`drives the training cost down on separable data (${batchNorm ? 'with' : 'without'} batch norm)`, () => {
      const { result } = train(createTsKernel('f64'), data, { ...base, batchNorm });
      const first = result.history[0], lastPoint = result.history[result.history.length - 1];
      expect(result.diverged).toBe(false);
      expect(lastPoint.cost.train, `cost ${first.cost.train} → ${lastPoint.cost.train}`).toBeLessThan(0.5 * first.cost.train);
      expect(result.accuracy.train).toBeGreaterThan(0.9);
      expect(result.accuracy.test).toBeGreaterThan(0.75);
      // the final figures are the last recorded point's (train, validation)
      expect(result.cost.train).toBe(lastPoint.cost.train);
      expect(result.accuracy.validation).toBe(lastPoint.accuracy.validation);
      // cost = loss + λ‖W‖² > loss
      expect(result.cost.test).toBeGreaterThan(result.loss.test);
    });
  }

  it('records pointsPerCycle points per cycle plus the start, with the schedule\'s η and fractional epochs', () => {
    const { result } = train(createTsKernel('f32'), data, base);
    const perEpoch = Math.floor(300 / 20);
    expect(result.history.map((p) => p.update)).toEqual([0, 12, 24, 36, 48, 60, 72, 84, 96, 108, 120]);
    for (const p of result.history) {
      expect(p.eta).toBe(cyclicalEta(p.update, base.etaMin, base.etaMax, base.ns));
      expect(p.epoch).toBe(p.update / perEpoch);
    }
    expect(recordingPoints(3, 1, 10)).toEqual([0, 1, 2, 3, 4, 5, 6]); // more points than updates: each update once
    expect(recordingPoints(2250, 2, 10).length).toBe(21);
  });

  it('reports progress at a modest rate, with validation accuracy at recorded points', () => {
    const calls: TrainProgress[] = [];
    train(createTsKernel('f32'), data, { ...base, cycles: 1 }, { onProgress: (p) => calls.push(p), progressEvery: 25 });
    expect(calls.map((c) => c.update)).toEqual([0, 12, 24, 25, 36, 48, 50, 60]);
    expect(calls.filter((c) => c.validationAccuracy !== undefined).map((c) => c.update)).toEqual([0, 12, 24, 36, 48, 60]);
    expect(calls.every((c) => c.updates === 60)).toBe(true);
  });

  it('is reproducible bit for bit with one seed and differs with another', () => {
    const a = train(createTsKernel('f32'), data, base).result;
    const b = train(createTsKernel('f32'), data, base).result;
    const c = train(createTsKernel('f32'), data, { ...base, seed: 2 }).result;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(c.cost.train).not.toBe(a.cost.train);
    expect(JSON.stringify(c.history)).not.toBe(JSON.stringify(a.history));
  });

  it('stops a diverging run (huge η) with diverged: true and the last finite figures', () => {
    for (const batchNorm of [false, true]) {
      const { result } = train(createTsKernel('f32'), data, { ...base, batchNorm, etaMin: 1e3, etaMax: 1e6, init: { kind: 'normal', sigma: 1 } });
      expect(result.diverged, `batchNorm ${batchNorm}`).toBe(true);
      for (const v of [...Object.values(result.cost), ...Object.values(result.loss), ...Object.values(result.accuracy)]) {
        expect(Number.isFinite(v), `figure ${v} (batchNorm ${batchNorm})`).toBe(true);
      }
      expect(result.history.length).toBeGreaterThan(0);
      expect(result.history.length).toBeLessThan(11);
      const lastPoint = result.history[result.history.length - 1];
      expect(result.cost.train).toBe(lastPoint.cost.train);
      expect(result.accuracy.validation).toBe(lastPoint.accuracy.validation);
    }
  });

  it('trains a linear classifier (no hidden layer)', () => {
    const { result } = train(createTsKernel('f64'), data, { ...base, hidden: [] });
    expect(result.accuracy.train).toBeGreaterThan(0.85);
  });

  it('rejects a bad configuration or data with a message naming the value', () => {
    const k = createTsKernel('f64');
    expect(() => train(k, data, { ...base, batch: 301 })).toThrow(/batch 301 is larger than the 300 training rows/);
    expect(() => train(k, data, { ...base, ns: 0 })).toThrow(/ns = 0/);
    expect(() => train(k, data, { ...base, lambda: -1 })).toThrow(/lambda = -1/);
    const badLabels = { ...data, test: { ...data.test, y: data.test.y.map((v, i) => (i === 7 ? 3 : v)) } };
    expect(() => train(k, badLabels, base)).toThrow(/test split: label 3 of row 7/);
  });
});

describe('normalizeTrainConfig: what a trial identity covers', () => {
  const cfg = {
    hidden: [5], init: { kind: 'he' } as const, lambda: 0.01, etaMin: 1e-5, etaMax: 0.1, batch: 10, ns: 4, cycles: 1, seed: 3,
  };
  it('leaves ε and α out without batch norm, whatever they are set to', () => {
    const a = normalizeTrainConfig({ ...cfg, batchNorm: false, eps: 1e-5, alpha: 0.5 });
    const b = normalizeTrainConfig({ ...cfg, batchNorm: false });
    expect(a).toEqual(b);
    expect('eps' in a || 'alpha' in a).toBe(false);
  });
  it('fills in the defaults with batch norm: ε = 2.2e-16, α = 0.9', () => {
    const c = normalizeTrainConfig({ ...cfg, batchNorm: true });
    expect(c.eps).toBe(2.220446049250313e-16);
    expect(c.alpha).toBe(0.9);
    expect(normalizeTrainConfig({ ...cfg, batchNorm: true, eps: 1e-5 }).eps).toBe(1e-5);
  });
  it('trains a net without batch norm to the same bits whatever ε is given', () => {
    const tiny = syntheticDataset({ d: 6, K: 3, train: 40, validation: 10, test: 10, seed: 1 });
    const run = (eps: number) => train(createTsKernel('f64'), tiny, { ...cfg, batchNorm: false, eps }).result;
    expect(run(1e-5)).toEqual(run(1e-3));
  });
});
