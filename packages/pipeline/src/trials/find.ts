// Finding a trial record by a prefix of its hash, in the workspace's trial store (results/trials/).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TrialRecord } from './executor.js';
import { listRecords, recordPath, trialStoreDir } from './store.js';

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
  let record: TrialRecord;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as TrialRecord;
  } catch (err) {
    return { error: `trial: ${path.relative(workspace, file)} is not readable JSON (${(err as Error).message})` };
  }
  return { file, record };
}
