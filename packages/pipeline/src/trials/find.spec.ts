import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrialRecord } from './executor.js';
import { findTrial } from './find.js';
import { trialHash } from './identity.js';
import { recordPath, sealRecord, trialStoreDir, writeRecord } from './store.js';

const record = (seed: number): TrialRecord => {
  const identity = { config: { seed }, preparation: 'main', dataFingerprint: 'a'.repeat(64), engine: 'bnlab-engine/1+ts-f64' };
  const acc = { train: 0.5, validation: 0.25, test: 0.125 };
  return {
    hash: trialHash(identity),
    identity,
    result: { accuracy: acc, cost: acc, loss: acc, history: [], diverged: false },
    meta: { computeSeconds: 1, host: 'h', finishedAt: '2026-01-01T00:00:00.000Z', worker: 'local#1' },
  };
};

let ws: string;
beforeEach(() => {
  ws = mkdtempSync(path.join(tmpdir(), 'bnlab-find-'));
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

describe('findTrial', () => {
  it('finds a record by a prefix of its hash, and names one whose digit was changed instead of showing it', () => {
    const r = record(1);
    writeRecord(trialStoreDir(ws), r);
    const found = findTrial(ws, r.hash.slice(0, 8));
    expect(found).toEqual({ file: recordPath(trialStoreDir(ws), r.hash), record: sealRecord(r) });

    const file = recordPath(trialStoreDir(ws), r.hash);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"validation":0.25', '"validation":0.35'));
    const bad = findTrial(ws, r.hash.slice(0, 8));
    expect(bad).toEqual({ error: expect.stringMatching(new RegExp(`^trial: results/trials/${r.hash.slice(0, 2)}/${r.hash}\\.json is corrupt: .*not its checksum.*; the next run deletes and recomputes it$`)) });
    expect(readFileSync(file, 'utf8')).toContain('"validation":0.35'); // looked at, not deleted
  });
});
