// Finding a trial record by a prefix of its hash, in every profile's trial store of a workspace.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TrialRecord } from './executor.js';
import { listRecords, recordPath } from './store.js';

export interface FoundTrial {
  profile: string;
  file: string;
  record: TrialRecord;
}

/** The one record whose hash starts with `prefix`, or why there is none (one line: unknown, ambiguous). */
export function findTrial(workspace: string, prefix: string): FoundTrial | { error: string } {
  const p = prefix.toLowerCase();
  if (!/^[0-9a-f]{1,64}$/.test(p)) return { error: `trial: '${prefix}' is not a hash prefix (hex digits, e.g. 1c9bd3ef)` };
  const results = path.join(workspace, 'results');
  const hits: { profile: string; hash: string; file: string }[] = [];
  for (const profile of existsSync(results) ? readdirSync(results).sort() : []) {
    const dir = path.join(results, profile, 'trials');
    for (const hash of listRecords(dir)) if (hash.startsWith(p)) hits.push({ profile, hash, file: recordPath(dir, hash) });
  }
  const hashes = [...new Set(hits.map((h) => h.hash))];
  if (hashes.length === 0) return { error: `trial: no trial record under results/*/trials/ has a hash starting with '${p}'` };
  if (hashes.length > 1) {
    const shown = hashes.slice(0, 5).map((h) => `${h.slice(0, p.length + 4)}…`).join(', ');
    return { error: `trial: '${p}' is ambiguous: ${hashes.length} trials start with it (${shown}${hashes.length > 5 ? ', …' : ''}); give more digits` };
  }
  const hit = hits[0]; // the same trial in two stores has the same result: the first profile's
  let record: TrialRecord;
  try {
    record = JSON.parse(readFileSync(hit.file, 'utf8')) as TrialRecord;
  } catch (err) {
    return { error: `trial: ${path.relative(workspace, hit.file)} is not readable JSON (${(err as Error).message})` };
  }
  return { profile: hit.profile, file: hit.file, record };
}
