// What `bnlab serve` shows of a study, and the only module of it that knows how a study is laid out:
// the plan (planStudy, what `bnlab plan --json` prints: stages, their states and trial lists), the
// stages' result.json files read as opaque JSON, the trial store's records, and the live progress
// files. Everything is read, nothing written; a plan that cannot be made (a result being replaced
// while read, a broken experiments.yaml) keeps the last good view and says why.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadStudies } from '../config/index.js';
import { planStudy, type StudyPlan } from '../stages/plan.js';
import { resultFile } from '../stages/context.js';
import { openStudy } from '../stages/workspace.js';
import { listRecords, readRecord, trialStoreDir } from '../trials/store.js';
import type { TrialRecord } from '../trials/executor.js';
import type { LiveRun, RunningTrial } from './progress-files.js';
import { sectionCache } from './sections.js';
import { type Cell, type TrialRow } from './trial-table.js';

export type StageState = 'current' | 'stale' | 'missing' | 'invalid' | 'unchecked' | 'running' | 'failed';

export interface StageSummary {
  stage: string;
  /** The stage's kind ('data' for the built-in stage). */
  kind: string;
  dependsOn: string[];
  state: StageState;
  reason?: string;
  trials: null | { known: boolean; total: number; stored: number; missing: number; running: number };
  /** The result.json's modification time, when there is one (the page redraws a stage's charts when it changes). */
  resultTime: number | null;
}

export interface ProfileView {
  profile: string;
  profiles: string[];
  engine: string;
  kernel: string;
  stages: StageSummary[];
  trialsLeft: number;
  trialsUnknown: boolean;
  stagesToRun: string[];
  /** Seconds until every trial is trained, estimated from stored trials' compute time; null when nothing to go on. */
  eta: number | null;
  /** The trials running now (at least 1): the ETA assumes this many run at once. */
  parallel: number;
  running: (LiveRun & { running: (RunningTrial & { eta: number | null })[] })[];
  /** Set when the plan could not be made just now: the rest is the last good view (or empty). */
  problem?: string;
  warnings: string[];
}

interface Cached {
  signature: string;
  plan?: StudyPlan;
  problem?: string;
  warnings: string[];
  /** Stage of every hash a result.json names (trials the plan no longer lists). */
  resultHashes: Map<string, string>;
  /** Every record file in the store (the signature covers its folders). */
  stored: string[];
}

/** The workspace's studies as the page sees them. */
export function studyViews(o: { workspace: string; configFile?: string; env?: NodeJS.ProcessEnv }) {
  const env = o.env ?? process.env;
  const configFile = o.configFile ?? path.join(o.workspace, 'experiments.yaml');
  const cache = new Map<string, Cached>();
  // Records never change under their hash: their table fields are read once.
  const recordFields = new Map<string, Record<string, Cell> | null>();

  let known = { at: '', names: [] as string[] };
  function profiles(): string[] {
    const at = mtime(configFile);
    if (known.at !== at) known = { at, names: Object.keys(loadStudies(configFile, env)) };
    return known.names;
  }

  function stageNames(profile: string): string[] {
    return cache.get(profile)?.plan?.stages.map((s) => s.stage) ?? [];
  }

  /** Cheap to compute: modification times of the study file, the results and the trial store's folders. */
  function signature(profile: string): string {
    const parts = [mtime(configFile)];
    for (const stage of stageNames(profile)) parts.push(mtime(resultFile(o.workspace, profile, stage as never)));
    const store = trialStoreDir(o.workspace);
    parts.push(mtime(store));
    for (const sub of safeList(store)) parts.push(`${sub}:${mtime(path.join(store, sub))}`);
    return parts.join('|');
  }

  // The study environment of a profile, remade when the study file changes (sections are rendered in it).
  const envs = new Map<string, { at: string; env: ReturnType<typeof openStudy> }>();
  function stageEnv(profile: string) {
    const at = mtime(configFile);
    let e = envs.get(profile);
    if (e?.at !== at) envs.set(profile, (e = { at, env: openStudy({ profile, config: configFile }, { ...env, NX_TASK_TARGET_CONFIGURATION: '', BNLAB_WORKSPACE: o.workspace }) }));
    return { env: e.env, configKey: at };
  }
  const sections = sectionCache(stageEnv);

  function current(profile: string): Cached {
    const sig = signature(profile);
    const old = cache.get(profile);
    if (old && old.signature === sig) return old;
    const warnings: string[] = [];
    const next: Cached = { signature: sig, plan: old?.plan, warnings, resultHashes: old?.resultHashes ?? new Map(), stored: old?.stored ?? [] };
    try {
      next.plan = planStudy(stageEnv(profile).env, (w) => warnings.push(w));
      next.resultHashes = hashesInResults(profile, next.plan);
      next.stored = listRecords(trialStoreDir(o.workspace));
      // The signature again, with the stage list now known (the first plan of a profile learns it).
      next.signature = signature(profile);
    } catch (err) {
      next.problem = `${err instanceof Error ? err.message : String(err)}${old?.plan ? ' (showing the last complete view)' : ''}`;
      next.signature = ''; // try again next time
    }
    cache.set(profile, next);
    return next;
  }

  function hashesInResults(profile: string, plan: StudyPlan): Map<string, string> {
    const out = new Map<string, string>();
    for (const s of plan.stages) {
      const text = readResult(profile, s.stage);
      if (text === undefined) continue;
      try {
        collectHashes(JSON.parse(text), (h) => out.set(h, s.stage));
      } catch {
        // being replaced: the next signature change reads it again
      }
    }
    return out;
  }

  function readResult(profile: string, stage: string): string | undefined {
    try {
      return readFileSync(resultFile(o.workspace, profile, stage as never), 'utf8');
    } catch {
      return undefined;
    }
  }

  function fields(profile: string, hash: string, warn: (w: string) => void): Record<string, Cell> | null {
    let f = recordFields.get(hash);
    if (f === undefined) {
      const r = readRecord(trialStoreDir(o.workspace), hash, warn, false);
      f = r ? recordRow(r) : null;
      // A missing record may appear later; a present one never changes.
      if (f) recordFields.set(hash, f);
    }
    return f;
  }

  function view(profile: string, live: LiveRun[]): ProfileView {
    const c = current(profile);
    // Each running trial with the seconds it has left at its pace so far (null before its first progress).
    const runs = live.filter((r) => r.profile === profile).map((r) => ({ ...r, running: r.running.map((t) => ({ ...t, eta: remaining(t) })) }));
    const plan = c.plan;
    const base: ProfileView = {
      profile,
      profiles: plan?.profiles ?? [],
      engine: plan?.engine ?? '',
      kernel: plan?.kernel ?? '',
      stages: [],
      trialsLeft: plan?.trialsLeft ?? 0,
      trialsUnknown: plan?.trialsUnknown ?? false,
      stagesToRun: plan?.stagesToRun ?? [],
      eta: null,
      parallel: 1,
      running: runs,
      problem: c.problem,
      warnings: c.warnings,
    };
    if (!plan) return base;
    const warn = (w: string) => c.warnings.includes(w) || c.warnings.push(w);
    let perTrial: number[] = [];
    const byStage = new Map<string, number[]>();
    for (const s of plan.stages) {
      const secs = (s.trials?.list ?? []).filter((t) => t.stored).map((t) => fields(profile, t.hash, warn)?.seconds).filter((x): x is number => typeof x === 'number');
      byStage.set(s.stage, secs);
      perTrial = perTrial.concat(secs);
    }
    // A stage with no timed trial yet is estimated from every record in the store (older configurations included).
    let meanAll = mean(perTrial) ?? mean(c.stored.map((h) => fields(profile, h, warn)?.seconds).filter((x): x is number => typeof x === 'number'));
    meanAll ??= runningEstimate(runs.flatMap((r) => (r.status === 'running' ? r.running : [])));
    let work = 0;
    let known = true;
    base.stages = plan.stages.map((s) => {
      const mine = runs.filter((r) => r.stage === s.stage);
      const active = mine.find((r) => r.status === 'running');
      const failed = mine.find((r) => r.status !== 'running');
      let state: StageState = s.result;
      let reason = s.reason;
      if (active) {
        state = 'running';
        reason = `pid ${active.pid} on ${active.host}`;
      } else if (failed && s.result !== 'current') {
        state = 'failed';
        reason = failed.error ?? failed.status;
      }
      const runningTrials = active?.running ?? [];
      if (s.trials) {
        const est = mean(byStage.get(s.stage) ?? []) ?? meanAll;
        // The plan is remade whenever a record lands in the store: its counts already hold what the run trained.
        const waiting = Math.max(0, s.trials.missing - runningTrials.length);
        if (est === null) known = known && (waiting === 0 && runningTrials.length === 0);
        else work += waiting * est;
        for (const t of runningTrials) work += remaining(t) ?? est ?? 0;
      }
      return {
        stage: s.stage,
        kind: s.kind,
        dependsOn: s.dependsOn,
        state,
        reason,
        trials: s.trials && { known: s.trials.known, total: s.trials.total, stored: s.trials.stored, missing: s.trials.missing, running: runningTrials.length },
        resultTime: mtimeMs(resultFile(o.workspace, profile, s.stage)),
      };
    });
    base.parallel = Math.max(1, runs.reduce((n, r) => n + (r.status === 'running' ? r.running.length : 0), 0));
    base.eta = known ? work / base.parallel : null;
    return base;
  }

  /** Every trial the plan lists and every record in the store, as table rows. */
  function trialRows(profile: string, live: LiveRun[]): TrialRow[] {
    const c = current(profile);
    const warn = (w: string) => c.warnings.includes(w) || c.warnings.push(w);
    const running = new Map(live.filter((r) => r.profile === profile && r.status === 'running').flatMap((r) => r.running.map((t) => [t.hash, t] as const)));
    const rows = new Map<string, TrialRow>();
    for (const s of c.plan?.stages ?? []) {
      for (const t of s.trials?.list ?? []) {
        if (rows.has(t.hash)) continue;
        const f = t.stored ? fields(profile, t.hash, warn) : null;
        const r = running.get(t.hash);
        const state = f ? 'stored' : r ? 'running' : 'to train';
        const progress = r && r.updates > 0 ? `${r.update}/${r.updates}` : null;
        rows.set(t.hash, { stage: s.stage, label: t.label, state, progress, ...f, hash: t.hash });
      }
    }
    // The store is the workspace's: of the records the plan does not list, only those this profile's
    // results name (a result written before the configuration changed) belong to its table.
    for (const hash of c.stored) {
      if (rows.has(hash) || !c.resultHashes.has(hash)) continue;
      const f = fields(profile, hash, warn);
      if (f) rows.set(hash, { stage: c.resultHashes.get(hash) ?? null, label: null, state: 'not in the plan', progress: null, ...f, hash });
    }
    return [...rows.values()];
  }

  return {
    profiles,
    view,
    trialRows,
    /** A stage's result.json as stored (opaque to the server), or undefined. */
    result(profile: string, stage: string): string | undefined {
      if (!stageNames(profile).includes(stage)) current(profile);
      return stageNames(profile).includes(stage) ? readResult(profile, stage) : undefined;
    },
    /** A declared stage's report section (rendered HTML and its files) or why it has none; undefined for another name. */
    section(profile: string, stage: string) {
      return sections.section(profile, stage);
    },
    /** Whether anything the view is made from changed since it was last made. */
    changed(profile: string): boolean {
      return cache.get(profile)?.signature !== signature(profile);
    },
  };
}

export type StudyViews = ReturnType<typeof studyViews>;

/** A record's table fields: every option of its configuration (nested keys dotted), then the outcome. */
export function recordRow(r: TrialRecord): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  const put = (key: string, v: unknown) => {
    if (Array.isArray(v)) out[key] = v.join(',');
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) put(`${key}.${k}`, x);
    else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[key] = v;
  };
  for (const [k, v] of Object.entries(r.identity.config)) put(k, v);
  out.preparation = r.identity.preparation;
  const pct = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 100 : null);
  out['val %'] = pct(r.result.accuracy.validation);
  out['test %'] = pct(r.result.accuracy.test);
  out['train %'] = pct(r.result.accuracy.train);
  out.diverged = r.result.diverged;
  out.seconds = Math.round(r.meta.computeSeconds * 10) / 10;
  out.worker = r.meta.worker;
  out.finished = r.meta.finishedAt;
  return out;
}

function collectHashes(v: unknown, found: (h: string) => void): void {
  if (Array.isArray(v)) for (const x of v) collectHashes(x, found);
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'hash' && typeof x === 'string' && /^[0-9a-f]{64}$/.test(x)) found(x);
      else collectHashes(x, found);
    }
  }
}

function mean(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Seconds left of a running trial, from its pace so far. */
function remaining(t: { startedAt: number; update: number; updates: number }, now = Date.now()): number | null {
  if (t.update <= 0 || t.updates <= 0) return null;
  return ((now - t.startedAt) / 1000) * ((t.updates - t.update) / t.update);
}

function runningEstimate(ts: { startedAt: number; update: number; updates: number }[], now = Date.now()): number | null {
  const whole = ts.filter((t) => t.update > 0 && t.updates > 0).map((t) => ((now - t.startedAt) / 1000) * (t.updates / t.update));
  return mean(whole);
}

function mtime(file: string): string {
  const t = mtimeMs(file);
  return t === null ? '-' : String(t);
}

function mtimeMs(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
