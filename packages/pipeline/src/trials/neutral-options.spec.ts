// Training options added after the first trials (batch-norm placement, dropout, jitter) move no
// existing trial hash at their neutral values: every committed trial record's identity, normalised
// again with those options set to neutral, still hashes to its name; and a hand-written
// configuration keeps the hash the engine before these options computed (pinned below).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeTrainConfig, TRAINING_OPTIONS, type TrainConfig } from '@bnlab/engine';
import { describe, expect, it } from 'vitest';
import type { TrialIdentity } from './executor.js';
import { trialHash } from './identity.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
/** Every option with a neutral value, at it. */
const NEUTRAL = Object.fromEntries(TRAINING_OPTIONS.filter((o) => o.neutral !== undefined).map((o) => [o.name, o.neutral]));

function committedRecords(): { file: string; hash: string; identity: TrialIdentity }[] {
  const out: { file: string; hash: string; identity: TrialIdentity }[] = [];
  const results = path.join(repo, 'results');
  if (!existsSync(results)) return out;
  for (const profile of readdirSync(results)) {
    const trials = path.join(results, profile, 'trials');
    if (!existsSync(trials)) continue;
    for (const shard of readdirSync(trials)) {
      for (const f of readdirSync(path.join(trials, shard)).filter((n) => n.endsWith('.json'))) {
        const file = path.join(trials, shard, f);
        const r = JSON.parse(readFileSync(file, 'utf8')) as { hash: string; identity: TrialIdentity };
        out.push({ file: path.relative(repo, file), hash: r.hash, identity: r.identity });
      }
    }
  }
  return out;
}

describe('neutral option values keep trial hashes', () => {
  it('there are options with neutral values (the ones added after the first trials)', () => {
    expect(Object.keys(NEUTRAL)).toEqual(['bnPlacement', 'dropout', 'jitterFlip', 'jitterShift', 'jitterBrightness', 'jitterContrast']);
  });

  const records = committedRecords();
  it.runIf(records.length > 0)(`every committed trial record (${records.length}): its identity with the new options at neutral hashes as without them`, () => {
    // Records written before 2a1e3db still carry ε and α without batch norm (that change moved those
    // hashes on purpose); they are compared with their own normalisation, and the records that are
    // normalised as today (every batch-norm one) must hash to their names.
    let current = 0;
    for (const r of records) {
      expect(path.basename(r.file, '.json'), r.file).toBe(r.hash);
      expect(trialHash(r.identity), r.file).toBe(r.hash);
      const config = r.identity.config as unknown as TrainConfig;
      const plain = normalizeTrainConfig(config);
      const neutral = normalizeTrainConfig({ ...config, ...NEUTRAL });
      expect(neutral, r.file).toEqual(plain);
      const hash = trialHash({ ...r.identity, config: neutral as unknown as TrialIdentity['config'] });
      expect(hash, r.file).toBe(trialHash({ ...r.identity, config: plain as unknown as TrialIdentity['config'] }));
      if (JSON.stringify(Object.entries(plain).sort()) === JSON.stringify(Object.entries(r.identity.config).sort())) {
        current++;
        expect(hash, r.file).toBe(r.hash);
      }
    }
    expect(current, 'records normalised as today').toBeGreaterThan(records.length / 4);
  });

  it('a hand-written configuration hashes as before the new options existed (hashes taken at 2a1e3db)', () => {
    const pinned: Record<string, string> = {
      true: '05f14b6e977f6a66881b71959332b84bcf70f75877f4711adbb0e0baf0a9524e',
      false: '4cc367f77ef1081ef97e0cc66ad1d9b33fdc110c3ed12a30204cd2efd57670dd',
    };
    for (const batchNorm of [true, false]) {
      const base: TrainConfig = { hidden: [50, 50], batchNorm, init: { kind: 'he' }, lambda: 0.005, etaMin: 1e-5, etaMax: 0.1, batch: 100, ns: 225, cycles: 2, seed: 1 };
      for (const config of [normalizeTrainConfig(base), normalizeTrainConfig({ ...base, ...NEUTRAL })]) {
        const identity = { config, preparation: 'main', dataFingerprint: 'f'.repeat(64), engine: 'bnlab-engine/1+wasm-simd-f32' } as unknown as TrialIdentity;
        expect(trialHash(identity), `batchNorm ${batchNorm}`).toBe(pinned[String(batchNorm)]);
      }
      // and a non-neutral value is a new identity
      const moved = { config: normalizeTrainConfig({ ...base, dropout: 0.5 }), preparation: 'main', dataFingerprint: 'f'.repeat(64), engine: 'bnlab-engine/1+wasm-simd-f32' } as unknown as TrialIdentity;
      expect(trialHash(moved)).not.toBe(pinned[String(batchNorm)]);
    }
  });
});
