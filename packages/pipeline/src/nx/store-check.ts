// The training and report stages' runtime input: the trial records that fail their checks, per
// profile. Nx serves a stage from its cache whenever its inputs are unchanged, so without this a
// corrupt record would stay corrupt under `nx run` (issue 17) although `bnlab plan` says the next run
// recomputes it. With it, a corrupt record changes the stages' hash: they run, the stage that needs
// the record deletes and retrains it, and once the store is sound the hash is the old one again (the
// stages are cache hits as before). Only the corrupt ones are named: records being added by a run
// must not change any stage's hash.
import { trialStoreDir, listRecords, readRecord } from '../trials/store.js';

/** `trials: sound` or `trials: corrupt <hash> …` for the workspace's one trial store (read-only). */
export function storeCheckLine(workspaceRoot: string): string {
  const dir = trialStoreDir(workspaceRoot);
  const corrupt = listRecords(dir).filter((hash) => {
    try {
      return readRecord(dir, hash, () => undefined, false) === undefined;
    } catch {
      return true; // unreadable
    }
  });
  return corrupt.length === 0 ? 'trials: sound' : `trials: corrupt ${corrupt.join(' ')}`;
}
