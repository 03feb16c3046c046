// For specs: a small valid trial record (not trained), distinct per seed.
import type { TrialRecord } from './executor.js';
import { trialHash } from './identity.js';

export function tinyRecord(seed: number): TrialRecord {
  const identity = { config: { seed }, preparation: 'main', dataFingerprint: 'a'.repeat(64), engine: 'bnlab-engine/1+ts-f64' };
  const acc = { train: 0.5, validation: 0.25, test: 0.125 };
  return {
    hash: trialHash(identity),
    identity,
    result: { accuracy: acc, cost: acc, loss: acc, history: [], diverged: false },
    meta: { computeSeconds: 1, host: 'h', finishedAt: '2026-01-01T00:00:00.000Z', worker: 'local#1' },
  };
}
