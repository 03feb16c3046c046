import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tinyRecord } from './testing.js';
import { findTrial } from './find.js';
import { recordPath, sealRecord, trialStoreDir, writeRecord } from './store.js';


let ws: string;
beforeEach(() => {
  ws = mkdtempSync(path.join(tmpdir(), 'bnlab-find-'));
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

describe('findTrial', () => {
  it('finds a record by a prefix of its hash, and names one whose digit was changed instead of showing it', () => {
    const r = tinyRecord(1);
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
