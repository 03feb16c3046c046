import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tinyRecord } from '../trials/testing.js';
import { recordPath, trialStoreDir, writeRecord } from '../trials/store.js';
import { storeCheckLine } from './store-check.js';


let ws: string;
beforeEach(() => {
  ws = mkdtempSync(path.join(tmpdir(), 'bnlab-store-check-'));
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

describe('storeCheckLine', () => {
  it('names the corrupt records of the store, leaves them in place, and does not depend on how many are sound', () => {
    const dir = trialStoreDir(ws);
    const a = tinyRecord(1);
    writeRecord(dir, a);
    expect(storeCheckLine(ws)).toBe('trials: sound');
    writeRecord(dir, tinyRecord(2)); // a run adding records leaves the line alone
    expect(storeCheckLine(ws)).toBe('trials: sound');
    const file = recordPath(dir, a.hash);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"validation":0.25', '"validation":0.26'));
    expect(storeCheckLine(ws)).toBe(`trials: corrupt ${a.hash}`);
    expect(existsSync(file)).toBe(true); // hashing never deletes: the stage's run does
  });

  it("the report's line changes when a record is added or retrained (its meta), not when nothing changed", () => {
    const dir = trialStoreDir(ws);
    writeRecord(dir, tinyRecord(1));
    const one = storeCheckLine(ws, true);
    expect(one).toMatch(/^trials: sound; 1 records [0-9a-f]{64}$/);
    expect(storeCheckLine(ws, true)).toBe(one);
    const b = tinyRecord(2);
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
