// Live progress of running stages, for `bnlab serve`: each `bnlab run` process keeps one small JSON
// file per stage it is running at .bnlab/progress/<pid>-<stage>.json (beside the data cache, never
// committed), written temp + rename at most twice a second and every few seconds as a heartbeat, and
// removes it when the stage ends well. A stage that fails leaves its file saying so; a process that
// died leaves a file whose pid is gone. Readers ignore what is too old to matter.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { HistoryPoint } from '@bnlab/report';
import type { StageView } from '../stages/progress.js';
import type { TrialProgress, TrialRecord, TrialSpec } from '../trials/executor.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { processAlive } from '../util/process.js';

export const PROGRESS_VERSION = 1;
/** Writes at most this often (ms); a heartbeat rewrites the file at least every HEARTBEAT_MS. */
export const MIN_INTERVAL_MS = 500;
export const HEARTBEAT_MS = 5000;
/** A running file not rewritten for this long, from a process we cannot check, is stale. */
export const STALE_MS = 30_000;
/** A failed stage (or a dead process's file) is shown for this long. */
export const FAILED_SHOWN_MS = 3_600_000;
const MAX_FILE_BYTES = 1 << 20;

export interface RunningTrial {
  hash: string;
  label: string;
  /** The engine's training configuration (net, λ, seed, …): what a live curve is titled by. */
  config: Record<string, unknown>;
  where: string;
  startedAt: number;
  update: number;
  updates: number;
  epoch: number;
  validationAccuracy?: number;
  /** The points recorded so far (the live curve). */
  history: HistoryPoint[];
}

export interface ProgressFile {
  version: number;
  pid: number;
  host: string;
  profile: string;
  stage: string;
  state: 'running' | 'failed';
  /** Why it failed (state 'failed'). */
  error?: string;
  startedAt: number;
  updatedAt: number;
  total: number;
  stored: number;
  trained: number;
  /** Compute seconds of the trials this run trained. */
  computeSeconds: number;
  /** Trials locked by another process, waited for. */
  waitingFor: number;
  running: RunningTrial[];
}

export function progressDir(workspace: string): string {
  return path.join(workspace, '.bnlab', 'progress');
}

/**
 * Wraps a stage view so that every stage it runs is also published to the progress directory.
 * `now` and `pid` are for tests.
 */
export function publishingView(
  view: StageView,
  o: { workspace: string; profile: string; now?: () => number; pid?: number; minIntervalMs?: number },
): StageView {
  const now = o.now ?? Date.now;
  const pid = o.pid ?? process.pid;
  const dir = progressDir(o.workspace);
  const minInterval = o.minIntervalMs ?? MIN_INTERVAL_MS;
  let file = '';
  let state: ProgressFile | undefined;
  const running = new Map<string, RunningTrial>();
  let lastWrite = 0;
  let timer: NodeJS.Timeout | undefined;

  const write = () => {
    if (!state) return;
    clearTimeout(timer);
    timer = undefined;
    lastWrite = now();
    state.updatedAt = lastWrite;
    state.running = [...running.values()];
    try {
      writeFileAtomic(file, `${JSON.stringify(state)}\n`);
    } catch {
      // Progress is a courtesy to a watching page: a full disk must not stop the run.
    }
  };
  const changed = () => {
    if (!state || timer) return;
    const wait = lastWrite + minInterval - now();
    if (wait <= 0) write();
    else timer = setTimeout(write, wait);
  };

  return {
    ...view,
    async stage(name, work) {
      file = path.join(dir, `${pid}-${name}.json`);
      removeEarlier(dir, o.profile, name, pid);
      running.clear();
      state = {
        version: PROGRESS_VERSION, pid, host: hostname(), profile: o.profile, stage: name, state: 'running',
        startedAt: now(), updatedAt: now(), total: 0, stored: 0, trained: 0, computeSeconds: 0, waitingFor: 0, running: [],
      };
      write();
      const heartbeat = setInterval(write, HEARTBEAT_MS);
      heartbeat.unref();
      try {
        const out = await view.stage(name, work);
        rmSync(file, { force: true });
        return out;
      } catch (err) {
        running.clear();
        state.state = 'failed';
        state.error = err instanceof Error ? err.message : String(err);
        write();
        throw err;
      } finally {
        clearInterval(heartbeat);
        clearTimeout(timer);
        timer = undefined;
        state = undefined;
      }
    },
    planned(total, stored, missing) {
      if (state) Object.assign(state, { total, stored });
      write();
      view.planned(total, stored, missing);
    },
    started(spec: TrialSpec, where: string) {
      running.set(spec.hash, { hash: spec.hash, label: spec.label, config: spec.config, where, startedAt: now(), update: 0, updates: 0, epoch: 0, history: [] });
      changed();
      view.started(spec, where);
    },
    progress(spec: TrialSpec, p: TrialProgress) {
      const r = running.get(spec.hash);
      if (r) {
        Object.assign(r, { update: p.update, updates: p.updates, epoch: p.epoch });
        if (p.validationAccuracy !== undefined) r.validationAccuracy = p.validationAccuracy;
        if (p.point) r.history.push(p.point);
        changed();
      }
      view.progress(spec, p);
    },
    finished(record: TrialRecord, spec: TrialSpec) {
      running.delete(spec.hash);
      if (state) {
        state.trained++;
        state.computeSeconds += record.meta.computeSeconds;
      }
      changed();
      view.finished(record, spec);
    },
    waiting(specs, holder) {
      if (state) state.waitingFor = specs.length;
      changed();
      view.waiting(specs, holder);
    },
  };
}

/** A failed or abandoned file of the same profile and stage says nothing once the stage runs again. */
function removeEarlier(dir: string, profile: string, stage: string, pid: number): void {
  for (const { value, file } of readFiles(dir)) {
    if (value.profile === profile && value.stage === stage && value.pid !== pid) {
      const live = value.host === hostname() && value.state === 'running' && processAlive(value.pid);
      if (!live) rmSync(file, { force: true });
    }
  }
}

export type LiveStatus = 'running' | 'failed' | 'stale';

export interface LiveRun extends ProgressFile {
  /** running: its process is alive (or was heard from recently); failed: it said so, or its process is gone. */
  status: LiveStatus;
}

function readFiles(dir: string): { file: string; value: ProgressFile }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: { file: string; value: ProgressFile }[] = [];
  for (const name of names) {
    if (!/^\d+-[\w.-]+\.json$/.test(name)) continue; // temp files end in .tmp-…
    const file = path.join(dir, name);
    try {
      if (statSync(file).size > MAX_FILE_BYTES) continue;
      const value = JSON.parse(readFileSync(file, 'utf8')) as ProgressFile;
      if (value.version === PROGRESS_VERSION && typeof value.pid === 'number' && Array.isArray(value.running)) out.push({ file, value });
    } catch {
      // Removed or replaced between the listing and the read: the next look sees it.
    }
  }
  return out;
}

/**
 * Every progress file worth showing, oldest first: running stages, and failed ones from the last hour.
 * A running file whose process is gone counts as failed; one not rewritten for STALE_MS from another
 * host as stale (then dropped once FAILED_SHOWN_MS old).
 */
export function readProgress(dir: string, t = Date.now(), host = hostname(), alive = processAlive): LiveRun[] {
  const out: LiveRun[] = [];
  for (const { value } of readFiles(dir)) {
    const age = t - value.updatedAt;
    let status: LiveStatus = value.state;
    if (status === 'running') {
      if (value.host === host) {
        if (!alive(value.pid)) {
          status = 'failed';
          value.error = `the run (pid ${value.pid}) ended without finishing the stage`;
        }
      } else if (age > STALE_MS) {
        status = 'stale';
      }
    }
    if (status !== 'running' && age > FAILED_SHOWN_MS) continue;
    if (status !== 'running') value.running = [];
    out.push({ ...value, status });
  }
  return out.sort((a, b) => a.startedAt - b.startedAt || a.pid - b.pid);
}
