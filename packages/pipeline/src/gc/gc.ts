// bnlab gc: what the declared studies (every profile of experiments.yaml) no longer use — prepared
// data in .bnlab/data and records in the workspace's trial store results/trials/ — and removing it.
// Anything it cannot prove unused is kept: a profile whose data is not here keeps every prepared entry
// of its data set, and a profile with a stage whose trials are not known yet (an upstream result not
// current) keeps the whole store (its trials could be any). So the committed records a published
// profile uses are never removed.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { preparedKey } from '../data/index.js';
import { PREPARATIONS, preparationOptions } from '../stages/data.js';
import type { DataStageResult } from '@bnlab/report';
import { resultState } from '../stages/context.js';
import { planStudy } from '../stages/plan.js';
import { openStudy } from '../stages/workspace.js';
import { listRecords, recordPath, trialStoreDir } from '../trials/store.js';

export interface GcItem {
  path: string;
  bytes: number;
}

export interface GcPlan {
  data: GcItem[];
  trials: GcItem[];
  /** Why something that might be unused is kept, one line each. */
  kept: string[];
}

function sizeOf(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  return readdirSync(p).reduce((n, f) => n + sizeOf(path.join(p, f)), 0);
}

/** What `bnlab gc` would remove in `workspace` (read-only). */
export async function planGc(workspace: string, configFile: string | undefined): Promise<GcPlan> {
  const wsEnv = { ...process.env, BNLAB_WORKSPACE: workspace };
  const base = openStudy({ config: configFile }, wsEnv);
  const profiles = [...base.study.profiles];
  const kept: string[] = [];

  // Prepared data: the entries some profile's preparations load here.
  const usedKeys = new Set<string>();
  const unknownDatasets = new Set<string>();
  const usedRecords = new Set<string>();
  // A profile whose trials are not all known keeps every record of its data (by fingerprint); when
  // even its data is unknown, the whole store.
  const keptFingerprints = new Set<string>();
  let keepAll = false;
  for (const profile of profiles) {
    const env = openStudy({ profile, config: configFile }, wsEnv);
    for (const name of PREPARATIONS) {
      const key = await preparedKey(preparationOptions(env, name));
      if (key) usedKeys.add(key);
      else unknownDatasets.add(env.study.data.dataset);
    }
    const plan = planStudy(env);
    const blocked = plan.stages.find((s) => s.trials && !s.trials.known);
    if (blocked) {
      const data = resultState(env, 'data');
      const why = `${blocked.stage}'s trials are not known until '${blocked.dependsOn.join("', '")}' ${blocked.dependsOn.length === 1 ? 'is' : 'are'} current`;
      if (data.state === 'current') {
        for (const prep of (data.value as DataStageResult).preparations) keptFingerprints.add(prep.fingerprint);
        kept.push(`results/trials: kept every record of profile '${profile}''s data (${why})`);
      } else {
        keepAll = true;
        kept.push(`results/trials: kept whole, profile '${profile}': ${why}, and its data is not prepared`);
      }
    } else {
      for (const s of plan.stages) for (const t of s.trials?.list ?? []) usedRecords.add(t.hash);
    }
  }

  const data: GcItem[] = [];
  const cache = path.join(workspace, '.bnlab', 'data');
  if (existsSync(cache)) {
    for (const key of readdirSync(cache).filter((e) => /^[0-9a-f]{64}$/.test(e)).sort()) {
      if (usedKeys.has(key)) continue;
      const dir = path.join(cache, key);
      let dataset: string | undefined;
      try {
        dataset = JSON.parse(readFileSync(path.join(dir, 'header.json'), 'utf8')).dataset;
      } catch {
        dataset = undefined; // a broken entry is never loaded: unused
      }
      if (dataset !== undefined && unknownDatasets.has(dataset)) continue;
      data.push({ path: dir, bytes: sizeOf(dir) });
    }
  }
  for (const d of unknownDatasets) kept.push(`.bnlab/data: kept every ${d} entry, its files are not here to tell which one a profile uses`);

  const trials: GcItem[] = [];
  const dir = trialStoreDir(workspace);
  if (!keepAll) {
    for (const hash of listRecords(dir)) {
      if (usedRecords.has(hash)) continue;
      const file = recordPath(dir, hash);
      if (keptFingerprints.size > 0 && keptFingerprints.has(fingerprintOf(file) ?? '')) continue;
      trials.push({ path: file, bytes: statSync(file).size });
    }
  }
  return { data, trials, kept };
}

/** The data fingerprint of a stored record (an unreadable one has none: it is the run's to repair). */
function fingerprintOf(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { identity?: { dataFingerprint?: string } }).identity?.dataFingerprint;
  } catch {
    return undefined;
  }
}

/** Removes what `planGc` found, and the two-character store directories it leaves empty. */
export function applyGc(plan: GcPlan): void {
  for (const item of [...plan.data, ...plan.trials]) rmSync(item.path, { recursive: true, force: true });
  for (const dir of new Set(plan.trials.map((t) => path.dirname(t.path)))) {
    if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
  }
}

/** 1234567 → "1.2 MB". */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}
