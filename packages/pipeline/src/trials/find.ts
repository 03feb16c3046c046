// Finding a trial record by a prefix of its hash, in the workspace's trial store (results/trials/),
// checked as every reader checks it (schema, hash, checksum): a corrupt record is named, never shown.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TrialRecord } from './executor.js';
import { listRecords, recordPath, recordProblem, trialStoreDir } from './store.js';

export interface FoundTrial {
  file: string;
  record: TrialRecord;
}

/** The one record whose hash starts with `prefix`, or why there is none (one line: unknown, ambiguous). */
export function findTrial(workspace: string, prefix: string): FoundTrial | { error: string } {
  const p = prefix.toLowerCase();
  if (!/^[0-9a-f]{1,64}$/.test(p)) return { error: `trial: '${prefix}' is not a hash prefix (hex digits, e.g. 1c9bd3ef)` };
  const dir = trialStoreDir(workspace);
  const hashes = listRecords(dir).filter((h) => h.startsWith(p));
  if (hashes.length === 0) return { error: `trial: no trial record under results/trials/ has a hash starting with '${p}'` };
  if (hashes.length > 1) {
    const shown = hashes.slice(0, 5).map((h) => `${h.slice(0, p.length + 4)}…`).join(', ');
    return { error: `trial: '${p}' is ambiguous: ${hashes.length} trials start with it (${shown}${hashes.length > 5 ? ', …' : ''}); give more digits` };
  }
  const file = recordPath(dir, hashes[0]);
  const shown = path.relative(workspace, file);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { error: `trial: ${shown} is not readable JSON (${(err as Error).message})` };
  }
  // Read-only: the next run deletes and recomputes a corrupt record.
  const problem = recordProblem(value, hashes[0]);
  if (problem !== undefined) return { error: `trial: ${shown} is corrupt: ${problem}; the next run deletes and recomputes it` };
  return { file, record: value as TrialRecord };
}
