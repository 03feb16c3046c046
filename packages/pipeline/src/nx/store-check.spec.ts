import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trialHash } from '../trials/identity.js';
import { recordPath, trialStoreDir, writeRecord } from '../trials/store.js';
import type { TrialRecord } from '../trials/executor.js';
import { storeCheckLine } from './store-check.js';

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
  ws = mkdtempSync(path.join(tmpdir(), 'bnlab-store-check-'));
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

describe('storeCheckLine', () => {
  it('names the corrupt records of the store, leaves them in place, and does not depend on how many are sound', () => {
    const dir = trialStoreDir(ws);
    const a = record(1);
    writeRecord(dir, a);
    expect(storeCheckLine(ws)).toBe('trials: sound');
    writeRecord(dir, record(2)); // a run adding records leaves the line alone
    expect(storeCheckLine(ws)).toBe('trials: sound');
    const file = recordPath(dir, a.hash);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"validation":0.25', '"validation":0.26'));
    expect(storeCheckLine(ws)).toBe(`trials: corrupt ${a.hash}`);
    expect(existsSync(file)).toBe(true); // hashing never deletes: the stage's run does
  });

  it("the report's line changes when a record is added or retrained (its meta), not when nothing changed", () => {
    const dir = trialStoreDir(ws);
    writeRecord(dir, record(1));
    const one = storeCheckLine(ws, true);
    expect(one).toMatch(/^trials: sound; 1 records [0-9a-f]{64}$/);
    expect(storeCheckLine(ws, true)).toBe(one);
    const b = record(2);
    writeRecord(dir, b);
    const two = storeCheckLine(ws, true);
    expect(two).toMatch(/^trials: sound; 2 records /);
    writeRecord(dir, { ...b, meta: { ...b.meta, computeSeconds: 2 } }); // the same trial retrained
    const retrained = storeCheckLine(ws, true);
    expect(retrained).not.toBe(two);
    writeRecord(dir, b);
    expect(storeCheckLine(ws, true)).toBe(two);
  });
});
