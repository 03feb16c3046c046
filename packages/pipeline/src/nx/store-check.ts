// The training and report stages' runtime input: the trial records that fail their checks, per
// profile. Nx serves a stage from its cache whenever its inputs are unchanged, so without this a
// corrupt record would stay corrupt under `nx run` (issue 17) although `bnlab plan` says the next run
// recomputes it. With it, a corrupt record changes the stages' hash: they run, the stage that needs
// the record deletes and retrains it, and once the store is sound the hash is the old one again (the
// stages are cache hits as before). Only the corrupt ones are named: records being added by a run
// must not change any stage's hash.
//
// The report reads the records' meta too (compute time), which retraining an identical trial changes
// without changing any result.json: its line (`withRecords`) adds a digest of every record's checksum.
// Read when Nx hashes the report, after the stages before it ran; a glob of the record files would
// not do, as Nx lists the workspace's files once, when the run starts, so the records a run adds
// would reach the report's hash only on the next run (a cache miss for nothing).
import { createHash } from 'node:crypto';
import { trialStoreDir, listRecords, readRecord } from '../trials/store.js';

/**
 * `trials: sound` or `trials: corrupt <hash> …` for the workspace's one trial store (read-only);
 * `withRecords`: then `; <n> records <sha256 of their hashes and checksums>`.
 */
export function storeCheckLine(workspaceRoot: string, withRecords = false): string {
  const dir = trialStoreDir(workspaceRoot);
  const corrupt: string[] = [];
  const digest = createHash('sha256');
  const hashes = listRecords(dir).sort();
  for (const hash of hashes) {
    let record;
    try {
      record = readRecord(dir, hash, () => undefined, false);
    } catch {
      record = undefined; // unreadable
    }
    if (record === undefined) corrupt.push(hash);
    else digest.update(`${hash} ${record.checksum}\n`);
  }
  const line = corrupt.length === 0 ? 'trials: sound' : `trials: corrupt ${corrupt.join(' ')}`;
  return withRecords ? `${line}; ${hashes.length - corrupt.length} records ${digest.digest('hex')}` : line;
}
