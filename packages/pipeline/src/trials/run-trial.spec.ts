import { describe, expect, it } from 'vitest';
import { createKernel, engineIdentity, normalizeTrainConfig, syntheticDataset, train } from '@bnlab/engine';
import type { PreparedDataset } from '../data/index.js';
import { canonicalJson } from '../util/canonical-json.js';
import type { TrialProgress } from './executor.js';
import { trialSpec } from './identity.js';
import { runTrial } from './run-trial.js';

// A tiny synthetic data set dressed as a prepared one (runTrial reads only the engine's Dataset
// fields and the fingerprint).
const data = { ...syntheticDataset({ d: 6, K: 3, train: 40, validation: 10, test: 10, seed: 5 }), fingerprint: 'c'.repeat(64) } as unknown as PreparedDataset;
const config = normalizeTrainConfig({
  hidden: [5], batchNorm: true, init: { kind: 'he' }, lambda: 0.01, etaMin: 1e-5, etaMax: 0.1, batch: 10, ns: 4, cycles: 1, seed: 3, pointsPerCycle: 2,
});
const spec = (overrides: { engine?: string; dataFingerprint?: string } = {}) =>
  trialSpec({ config: { ...config }, preparation: 'main', dataFingerprint: 'c'.repeat(64), engine: engineIdentity('ts-f64'), ...overrides }, 'tiny trial');

describe('runTrial', () => {
  it("returns the engine's result for the trial's configuration, with its identity and meta", () => {
    const progress: TrialProgress[] = [];
    const s = spec();
    const record = runTrial(s, data, createKernel('ts-f64'), (p) => progress.push(p), 'test#1');
    const direct = train(createKernel('ts-f64'), data, config).result;
    expect(canonicalJson(record.result)).toBe(canonicalJson(direct));
    expect(record.hash).toBe(s.hash);
    expect(record.identity).toEqual({ config: s.config, preparation: 'main', dataFingerprint: s.dataFingerprint, engine: s.engine });
    expect(record.meta.worker).toBe('test#1');
    expect(record.meta.computeSeconds).toBeGreaterThanOrEqual(0);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.updates).toBe(8);
  });

  it('refuses a trial made for another engine, naming both', () => {
    const s = spec({ engine: engineIdentity('ts-f32') });
    expect(() => runTrial(s, data, createKernel('ts-f64'), () => {}, 'test#1')).toThrow(
      `engine mismatch: trial tiny trial needs ${engineIdentity('ts-f32')}, this worker (test#1) computes with ${engineIdentity('ts-f64')}`,
    );
  });

  it('refuses a trial made for other data, naming both fingerprints', () => {
    const s = spec({ dataFingerprint: 'd'.repeat(64) });
    expect(() => runTrial(s, data, createKernel('ts-f64'), () => {})).toThrow(
      `data mismatch: trial tiny trial needs 'main' data with fingerprint ${'d'.repeat(64)}, this worker (pid ${process.pid}) has ${'c'.repeat(64)}`,
    );
  });
});
