// How long the work a plan leaves takes on this machine: each trial to train sized by the cost model
// (trials/cost.ts) on the data it trains on, at a rate from trials timed on this host with this
// engine, else from a short calibration of the kernel at the run's thread count.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { DataStageResult } from '@bnlab/report';
import { calibrate, rateFromTimings, shapeOf, trialWork, type DataSizes, type Rate, type TrialShape } from '../trials/cost.js';
import type { TrialRecord } from '../trials/executor.js';
import { listRecords, recordPath, trialStoreDir } from '../trials/store.js';
import { resultState, type StageEnv } from './context.js';
import { planStudy, type StudyPlan } from './plan.js';
import { netsIn } from './limits.js';
import { configuredTrialCount } from './plan.js';
import { isTrainingStage, planStage, stageKindModule } from './run-stage.js';
import { nsUpdates } from './trials.js';

export interface StudyEstimate {
  /** Wall seconds of the trials left; null when the data's sizes are not known here (no data, no data result). */
  seconds: number | null;
  /** The same per training stage with trials left. */
  stages: Record<string, number>;
  workers: number;
  /** One worker's multiply-adds per second; null when nothing needed it. */
  macsPerSecond: number | null;
  /** Where the rate comes from (or why there is no estimate). */
  source: string;
}

/** The data sizes of each preparation, by name and by fingerprint, from a data stage result. */
function sizesOf(data: DataStageResult): Map<string, DataSizes> {
  const out = new Map<string, DataSizes>();
  for (const p of data.preparations) {
    const s = { d: data.dimensions, K: data.classes.length, ...p.splits };
    out.set(p.name, s);
    out.set(p.fingerprint, s);
  }
  return out;
}

/** The trials a stage has left, as shapes on a preparation: its missing specs, or its configuration when its trials are not known yet. */
function trialsLeft(env: StageEnv, plan: StudyPlan, stage: string, sizes: Map<string, DataSizes>): { shape: TrialShape; preparation: string }[] {
  const p = plan.stages.find((s) => s.stage === stage)!;
  if (!p.trials || p.trials.missing === 0) return [];
  if (p.trials.known) {
    const missing = new Set(p.trials.list.filter((t) => !t.stored).map((t) => t.hash));
    return planStage(env, stage).trials.filter((t) => missing.has(t.hash)).map((t) => ({ shape: shapeOf(t.config), preparation: t.preparation }));
  }
  // Not known yet (an upstream search has not run): its configured count, spread over the nets its
  // settings name, each with the stage's own training settings.
  const { stage: resolved, kind } = stageKindModule(env, stage);
  const t = kind.training?.(resolved.settings);
  if (t === undefined) return [];
  const nets = netsIn(resolved.settings);
  const count = configuredTrialCount(env, stage);
  const preparation = (resolved.settings as { preparation?: string }).preparation ?? 'main';
  const n = sizes.get(preparation)?.train ?? 0;
  return Array.from({ length: count }, (_, i) => ({
    shape: {
      hidden: nets.length > 0 ? nets[i % nets.length].hidden : [],
      batch: t.options.batch as number, ns: nsUpdates(t, n), cycles: t.options.cycles as number, pointsPerCycle: t.options.pointsPerCycle as number,
    },
    preparation,
  }));
}

/** Trials stored under any profile of this workspace, trained on this host with `engine`: their work and compute seconds. */
function timedHere(workspace: string, engine: string): { work: number; seconds: number }[] {
  const results = path.join(workspace, 'results');
  if (!existsSync(results)) return [];
  const host = hostname();
  const sizes = new Map<string, DataSizes>();
  const profiles = readdirSync(results);
  for (const profile of profiles) {
    const file = path.join(results, profile, 'data', 'result.json');
    try {
      for (const [k, v] of sizesOf(JSON.parse(readFileSync(file, 'utf8')) as DataStageResult)) sizes.set(k, v);
    } catch {
      // no data result (or a broken one, which `bnlab run data` reports): its trials cannot be sized
    }
  }
  const out: { work: number; seconds: number }[] = [];
  const dir = trialStoreDir(workspace);
  for (const hash of listRecords(dir)) {
    let r: TrialRecord;
    try {
      r = JSON.parse(readFileSync(recordPath(dir, hash), 'utf8')) as TrialRecord;
    } catch {
      continue; // a corrupt record is the run's to report and replace
    }
    const s = sizes.get(r.identity?.dataFingerprint);
    if (!s || r.meta?.host !== host || r.identity.engine !== engine || !(r.meta.computeSeconds > 0)) continue;
    out.push({ work: trialWork(shapeOf(r.identity.config), s), seconds: r.meta.computeSeconds });
  }
  return out;
}

/** One worker's rate here: stored timings when there are enough, else a calibration run. */
export function rateHere(env: StageEnv, threads: number, d: number, K: number): Rate {
  const timed = timedHere(env.workspace, env.engine);
  const fromTimings = rateFromTimings(timed);
  if (fromTimings !== undefined) return { macsPerSecond: fromTimings, source: `${timed.length} trials timed on this host` };
  return { macsPerSecond: calibrate(env.kernel, threads, d, K), source: `a calibration of ${env.kernel} on ${threads} thread${threads === 1 ? '' : 's'}` };
}

/**
 * The wall time of the work `plan` leaves with `workers` workers. `prepared`: the data's sizes by
 * preparation when the caller prepared it (before the data stage has run).
 */
export function estimateStudy(
  env: StageEnv,
  plan: StudyPlan,
  opts: { workers: number; threads: number; prepared?: Record<string, DataSizes>; rate?: Rate },
): StudyEstimate {
  const none = (source: string): StudyEstimate => ({ seconds: 0, stages: {}, workers: opts.workers, macsPerSecond: null, source });
  if (plan.trialsLeft === 0) return none('nothing to train');
  const data = resultState(env, 'data');
  const sizes = data.state === 'current' ? sizesOf(data.value as DataStageResult) : new Map(Object.entries(opts.prepared ?? {}));
  if (sizes.size === 0) return { ...none('the data is not here to size the trials'), seconds: null };

  const work = new Map<string, number[]>();
  for (const p of plan.stages) {
    if (p.stage === 'data' || !isTrainingStage(env, p.stage)) continue;
    const w = trialsLeft(env, plan, p.stage, sizes).map((t) => trialWork(t.shape, sizes.get(t.preparation)!));
    if (w.length > 0) work.set(p.stage, w);
  }
  const any = [...sizes.values()][0];
  const rate = opts.rate ?? rateHere(env, opts.threads, any.d, any.K);
  const stages: Record<string, number> = {};
  let seconds = 0;
  for (const [stage, w] of work) {
    // Trials of a stage share the workers; a stage with fewer trials than workers leaves some idle.
    const parallel = Math.max(1, Math.min(opts.workers, w.length));
    stages[stage] = w.reduce((a, b) => a + b, 0) / rate.macsPerSecond / parallel;
    seconds += stages[stage]!;
  }
  return { seconds, stages, workers: opts.workers, macsPerSecond: rate.macsPerSecond, source: rate.source };
}

/**
 * For a stage about to run: the estimated seconds of the study's work left in the other stages
 * (null when unknown), and the whole study's estimate to announce.
 */
export function studyAround(env: StageEnv, stage: string, opts: { workers: number; threads: number }): { other: number | null; study: StudyEstimate } {
  const study = estimateStudy(env, planStudy(env), opts);
  return { other: study.seconds === null ? null : study.seconds - (study.stages[stage] ?? 0), study };
}
