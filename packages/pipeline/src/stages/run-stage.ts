// Runs one stage: reads its upstream results, plans its trials, reuses the stored ones, trains the
// missing ones through the executor, and aggregates the records' results into result.json (+ a
// timing.json). With --max-trials it may stop early: then no result.json is written.
import { performance } from 'node:perf_hooks';
import type { DataStageResult } from '@bnlab/report';
import { findStage } from '../config/stages.js';
import type { ResolvedStage } from '../config/types.js';
import { BnlabError } from '../errors.js';
import type { PreparedDataset } from '../data/index.js';
import { kindOf } from '../kinds/registry.js';
import type { Kind, PlanContext } from '../kinds/kind.js';
import type { TrialExecutor } from '../trials/executor.js';
import { obtainTrials } from '../trials/obtain.js';
import { trialStoreDir } from '../trials/store.js';
import { resultFile, shown, upstreamResult, writeStageResult, type StageEnv } from './context.js';
import { dataStage, preparedFor } from './data.js';
import { formatSeconds, type StageView } from './progress.js';
import type { PlannedStage, StageOutcome } from './stage.js';

export type { StageOutcome };

/** The kind of a declared stage (an unknown stage or kind is a bug here: the configuration was checked). */
export function stageKindModule(env: StageEnv, stage: string): { stage: ResolvedStage; kind: Kind } {
  const s = findStage(env.study, stage);
  const kind = s && kindOf(s.kind);
  if (!s || !kind) throw new BnlabError(`no stage '${stage}' in the study`);
  return { stage: s, kind };
}

/** Whether the stage plans trials (grid, search, refine, evaluate). */
export function isTrainingStage(env: StageEnv, stage: string): boolean {
  return stage !== 'data' && stageKindModule(env, stage).kind.plan !== undefined;
}

/** Plans a training stage from its upstream results (which must be current). */
export function planStage(env: StageEnv, name: string): PlannedStage<unknown> {
  const { stage, kind } = stageKindModule(env, name);
  const data = upstreamResult<DataStageResult>(env, 'data');
  const ctx: PlanContext = { env, data, upstream: (up) => currentUpstream(env, up) };
  return kind.plan!(stage, ctx);
}

// An upstream result is current only if its trials are the ones its configuration gives on the
// current data and engine: a configuration hash alone would not notice that the data (or its own
// upstream result) changed since it was written.
function currentUpstream(env: StageEnv, name: string): unknown {
  const result = upstreamResult<unknown>(env, name);
  const { kind } = stageKindModule(env, name);
  if (kind.plan && kind.trialHashes) {
    const got = kind.trialHashes(result);
    const expected = planStage(env, name).trials.map((t) => t.hash);
    if (!(got.length === expected.length && got.every((h, i) => h === expected[i]))) {
      const file = shown(env, resultFile(env.workspace, env.study.profile, name));
      throw new BnlabError(`run '${name}' first: ${file} is out of date (its trials are not those of the current data and upstream results)`);
    }
  }
  return result;
}

export interface RunStageOptions {
  env: StageEnv;
  view: StageView;
  signal: AbortSignal;
  /** Stop after this many new trials (no result.json then). */
  maxTrials?: number;
  /** Worker count shown in timing.json. */
  workers: number;
  makeExecutor: (datasets: Record<string, PreparedDataset>) => TrialExecutor | Promise<TrialExecutor>;
  /** One-line notes for stderr (a corrupt record deleted, a cache entry rebuilt). */
  warn: (line: string) => void;
  /** The gradcheck table goes here (stdout). */
  print: (line: string) => void;
}

export async function runStage(stage: string, o: RunStageOptions): Promise<StageOutcome> {
  const { env, view } = o;
  const t0 = performance.now();
  const timing = (trials: { total: number; reused: number; trained: number }, computeSeconds: number, executor: string) => ({
    stage,
    profile: env.study.profile,
    wallSeconds: (performance.now() - t0) / 1000,
    trainedComputeSeconds: computeSeconds,
    workers: o.workers,
    executor,
    trials,
  });
  const done = (file: string, trained: number): StageOutcome => {
    view.summary(`${stage}: wrote ${shown(env, file)} in ${formatSeconds((performance.now() - t0) / 1000)}`);
    return { kind: 'done', file, trained };
  };

  if (stage === 'data') {
    return view.stage(stage, async () => {
      const result = await dataStage(env, o.warn);
      return done(writeStageResult(env, stage, result, timing({ total: 0, reused: 0, trained: 0 }, 0, 'in-process')), 0);
    });
  }
  const { stage: declared, kind } = stageKindModule(env, stage);
  if (kind.run) {
    return kind.run(declared, {
      env,
      view,
      warn: o.warn,
      print: o.print,
      done: (result) => done(writeStageResult(env, stage, result, timing({ total: 0, reused: 0, trained: 0 }, 0, 'in-process')), 0),
    });
  }

  return view.stage(stage, async () => {
    const planned = planStage(env, stage);
    const data = upstreamResult<DataStageResult>(env, 'data');
    const preps = [...new Set(planned.trials.map((t) => t.preparation))].sort();
    const datasets = await preparedFor(env, data, preps, o.warn);
    const executor = lazyExecutor(() => o.makeExecutor(datasets));
    let computeSeconds = 0;
    const baseView = view;
    const obtained = await (async () => {
      try {
        return await obtainTrials(planned.trials, {
          dir: trialStoreDir(env.workspace),
          executor,
          signal: o.signal,
          maxNew: o.maxTrials,
          warn: o.warn,
          view: {
            ...baseView,
            finished: (record, spec) => {
              computeSeconds += record.meta.computeSeconds;
              baseView.finished(record, spec);
            },
          },
        });
      } finally {
        await executor.close();
      }
    })();
    const total = new Set(planned.trials.map((t) => t.hash)).size;
    if (!obtained.complete) {
      view.summary(`${stage}: stopped by --max-trials, ${obtained.records.size}/${total} trials stored`);
      return { kind: 'incomplete', trained: obtained.trained, stored: obtained.records.size, total } as StageOutcome;
    }
    const result = planned.aggregate(obtained.records);
    const file = writeStageResult(
      env,
      stage,
      result,
      timing({ total, reused: obtained.reused, trained: obtained.trained }, computeSeconds, executor.name),
    );
    return done(file, obtained.trained);
  });
}

/** Creates the executor on first use, so a stage whose trials are all stored starts no workers. */
function lazyExecutor(make: () => TrialExecutor | Promise<TrialExecutor>): TrialExecutor {
  let made: TrialExecutor | undefined;
  let name = 'none (every trial stored)';
  return {
    get name() {
      return name;
    },
    async run(trials, events, signal) {
      made ??= await make();
      name = made.name;
      return made.run(trials, events, signal);
    },
    async close() {
      await made?.close();
    },
  };
}

export { resultFile };
