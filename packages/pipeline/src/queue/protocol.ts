// What travels through the queue, and the checks on both ends. A job is one trial:
//   id          `t-<sha256 trial hash>` (BullMQ rejects all-digit ids and ids with ':'), so adding the
//               same trial twice makes one job and a finished job's result can be read back by id;
//   data        the TrialSpec, keys sorted (its canonical JSON), checked against its hash by the worker;
//   progress    { worker, update, updates, epoch, validationAccuracy? };
//   returnvalue the TrialRecord as the canonical JSON text the local trial store writes. Returning
//               text, not an object, keeps it byte-identical: JSON would turn −0 into 0 and NaN into
//               null on the way, and a record that does not survive that is rejected where it is made.
import type { TrialProgress, TrialRecord, TrialSpec } from '../trials/executor.js';
import { trialHash } from '../trials/identity.js';
import { recordProblem } from '../trials/store.js';
import { canonicalJson } from '../util/canonical-json.js';

export interface JobProgress extends TrialProgress {
  /** The worker's name (`host:pid`). */
  worker: string;
}

const HASH = /^[0-9a-f]{64}$/;

export function jobIdOf(hash: string): string {
  if (!HASH.test(hash)) throw new Error(`trial hash '${hash}' is not a sha256 hex digest`);
  return `t-${hash}`;
}

/** The job's data: the spec with its keys sorted; throws on what JSON cannot carry (NaN, −0 aside). */
export function encodeSpec(spec: TrialSpec): TrialSpec {
  return JSON.parse(canonicalJson(spec)) as TrialSpec;
}

/** The worker's check of a job's data: a spec whose identity does not hash to its hash is refused. */
export function decodeSpec(data: unknown): TrialSpec {
  const s = data as Partial<TrialSpec> | null;
  if (!s || typeof s !== 'object' || typeof s.hash !== 'string' || typeof s.label !== 'string'
    || typeof s.config !== 'object' || s.config === null || typeof s.preparation !== 'string'
    || typeof s.dataFingerprint !== 'string' || typeof s.engine !== 'string'
    || (s.data !== undefined && (typeof s.data !== 'object' || s.data === null || typeof s.data.dataset !== 'string'
      || typeof s.data.validation !== 'number' || typeof s.data.normalisation !== 'string'))) {
    throw new Error('job data is not a trial spec (hash, label, config, preparation, dataFingerprint, engine, data?)');
  }
  const spec = s as TrialSpec;
  const actual = trialHash(spec);
  if (actual !== spec.hash) {
    throw new Error(`trial ${spec.label}: its identity hashes to ${actual.slice(0, 12)}…, not its hash ${spec.hash.slice(0, 12)}… (a bnlab version mismatch between submitter and worker?)`);
  }
  return spec;
}

/** The worker's return value. */
export function encodeRecord(record: TrialRecord): string {
  return canonicalJson(record);
}

/**
 * The submitter's check of a returned record: canonical text, and what the trial store checks before
 * writing (the record schema, the spec's hash, an identity that hashes to it). Returns the record,
 * or throws why not.
 */
export function decodeRecord(text: unknown, spec: TrialSpec): TrialRecord {
  if (typeof text !== 'string') throw new Error(`the job returned ${text === null ? 'null' : typeof text}, not a record's text`);
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (err) {
    throw new Error(`the job returned text that is not JSON (${(err as Error).message})`);
  }
  const problem = recordProblem(record, spec.hash);
  if (problem !== undefined) throw new Error(`the job returned an invalid record: ${problem}`);
  if (canonicalJson(record) !== text) throw new Error('the job returned a record that is not canonical JSON');
  return record as TrialRecord;
}
