// The trial store: one canonical-JSON record per finished trial at <dir>/<hash[0:2]>/<hash>.json,
// written temp+rename. Reading validates everything it can (JSON, the hash against the file name and
// the identity, the shape against schemas/result-trial.schema.json): a corrupt record is reported,
// deleted and recomputed, never trusted.
//
// Where: results/trials/ under the workspace, one store for every profile and stage (a trial two
// profiles ask for is trained once). That is outside every Nx output folder (results/<profile>/<stage>/),
// so a cache restore never touches it, and it is committable: the published profiles' records are
// committed so a fresh clone re-aggregates without training (the lock files are gitignored).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sweepTempFiles, writeFileAtomic } from '../util/atomic-write.js';
import { canonicalJson, hashOf } from '../util/canonical-json.js';
import { schemaErrors } from '../stages/schemas.js';
import { trialHash } from './identity.js';
import type { TrialRecord } from './executor.js';

const HASH = /^[0-9a-f]{64}$/;

export function trialStoreDir(workspace: string): string {
  return path.join(workspace, 'results', 'trials');
}

export function recordPath(dir: string, hash: string): string {
  if (!HASH.test(hash)) throw new Error(`not a trial hash: '${hash}'`);
  return path.join(dir, hash.slice(0, 2), `${hash}.json`);
}

/** sha256 of the record's canonical JSON without its checksum field. */
export function recordChecksum(record: TrialRecord): string {
  const { checksum: _, ...content } = record;
  return hashOf(content);
}

/** The record with its checksum (what every executor returns and the store writes). */
export function sealRecord(record: TrialRecord): TrialRecord {
  return { ...record, checksum: recordChecksum(record) };
}

/** Why `value` is not a valid record for `hash`, or undefined when it is (a record without a checksum is legacy-valid). */
export function recordProblem(value: unknown, hash: string): string | undefined {
  const errors = schemaErrors('result-trial', value);
  if (errors.length > 0) return errors.slice(0, 3).join('; ');
  const r = value as TrialRecord;
  if (r.hash !== hash) return `its hash ${r.hash.slice(0, 12)}… is not its file name's`;
  const actual = trialHash(r.identity);
  if (actual !== hash) return `its identity hashes to ${actual.slice(0, 12)}…, not ${hash.slice(0, 12)}…`;
  if (r.checksum !== undefined) {
    const sum = recordChecksum(r);
    if (sum !== r.checksum) return `its content hashes to ${sum.slice(0, 12)}…, not its checksum ${r.checksum.slice(0, 12)}… (a value was changed)`;
  }
  return undefined;
}

/**
 * The record of trial `hash`, or undefined when there is none. A record that fails validation is
 * reported through `warn`, deleted (unless `remove` is false: `bnlab plan` only looks), and treated
 * as absent (so it is recomputed).
 */
export function readRecord(dir: string, hash: string, warn: (msg: string) => void, remove = true): TrialRecord | undefined {
  const file = recordPath(dir, hash);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let problem: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
    problem = recordProblem(value, hash);
  } catch (err) {
    problem = `not JSON (${(err as Error).message})`;
  }
  if (problem === undefined) {
    const r = value as TrialRecord;
    if (r.checksum !== undefined) return r;
    // Legacy: valid by every other check; a run (not `bnlab plan`, which only looks) adds the checksum.
    const sealed = sealRecord(r);
    if (remove) writeFileAtomic(file, `${canonicalJson(sealed)}\n`);
    return sealed;
  }
  if (!remove) {
    warn(`trial store: ${file} is corrupt: ${problem}; the next run deletes and recomputes it`);
    return undefined;
  }
  warn(`trial store: ${file} is corrupt: ${problem}; deleted, the trial will be recomputed`);
  rmSync(file, { force: true });
  return undefined;
}

/** Writes a record with its checksum (validated first: an invalid record is a bug, never stored). */
export function writeRecord(dir: string, record: TrialRecord): void {
  const problem = recordProblem(record, record.hash);
  if (problem !== undefined) throw new Error(`refusing to store trial ${record.hash}: ${problem}`);
  writeFileAtomic(recordPath(dir, record.hash), `${canonicalJson(sealRecord(record))}\n`);
}

/** Hashes of every record file present (not validated). */
export function listRecords(dir: string): string[] {
  let subdirs: string[];
  try {
    subdirs = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []; // no store yet
    throw err;
  }
  const out: string[] = [];
  for (const sub of subdirs.sort()) {
    if (!/^[0-9a-f]{2}$/.test(sub)) continue;
    for (const f of readdirSync(path.join(dir, sub)).sort()) {
      const h = f.slice(0, -'.json'.length);
      if (f.endsWith('.json') && HASH.test(h) && h.startsWith(sub)) out.push(h);
    }
  }
  return out;
}

/** Removes the temp files of killed writes from every folder of the store; returns how many. */
export function sweepStore(dir: string): number {
  let subdirs: string[];
  try {
    subdirs = readdirSync(dir);
  } catch {
    return 0;
  }
  return subdirs.filter((s) => /^[0-9a-f]{2}$/.test(s)).reduce((n, s) => n + sweepTempFiles(path.join(dir, s)), 0);
}
