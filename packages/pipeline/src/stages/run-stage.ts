// Runs one stage: reads its upstream results, plans its trials, reuses the stored ones, trains the
// missing ones through the executor, and aggregates the records' results into result.json (+ a
// timing.json). With --max-trials it may stop early: then no result.json is written.
import { performance } from 'node:perf_hooks';
import type { CoarseStageResult, DataStageResult, FineStageResult, StageName } from '@bnlab/report';
import { BnlabError } from '../cli/command.js';
import type { PreparedDataset } from '../data/index.js';
import type { TrialExecutor } from '../trials/executor.js';
import { obtainTrials } from '../trials/obtain.js';
import { trialStoreDir } from '../trials/store.js';
import { resultFile, shown, upstreamResult, writeStageResult, type StageEnv } from './context.js';
import { planCoarse } from './coarse.js';
import { planCurves } from './curves.js';
import { dataStage, preparedFor } from './data.js';
import { planFinal } from './final.js';
import { planFine } from './fine.js';
import { formatSeconds, type StageView } from './progress.js';
import { planSigma } from './sigma.js';
import type { PlannedStage } from './stage.js';
import { gradcheckStage } from './gradcheck.js';

export const TRAINING_STAGES = ['curves', 'coarse', 'fine', 'final', 'sigma'] as const;
export type TrainingStage = (typeof TRAINING_STAGES)[number];

export function isTrainingStage(s: string): s is TrainingStage {
  return (TRAINING_STAGES as readonly string[]).includes(s);
}

/** Plans a training stage from its upstream results (which must be current). */
export function planStage(env: StageEnv, stage: TrainingStage): PlannedStage<unknown> {
  const data = upstreamResult<DataStageResult>(env, 'data');
  switch (stage) {
    case 'curves':
      return planCurves(env, data);
    case 'coarse':
      return planCoarse(env, data);
    case 'fine':
      return planFine(env, data, currentCoarse(env, data));
    case 'final':
      return planFinal(env, data, currentFine(env, data));
    case 'sigma':
      return planSigma(env, data);
  }
}

// A search result is current only if its trials are the ones its configuration gives on the current
// data and engine: a configuration hash alone would not notice that the data (or, for fine, the coarse
// result) changed since it was written.
function currentCoarse(env: StageEnv, data: DataStageResult): CoarseStageResult {
  const coarse = upstreamResult<CoarseStageResult>(env, 'coarse');
  sameTrials(env, 'coarse', coarse.trials.map((t) => t.hash), planCoarse(env, data).trials.map((t) => t.hash));
  return coarse;
}

function currentFine(env: StageEnv, data: DataStageResult): FineStageResult {
  const fine = upstreamResult<FineStageResult>(env, 'fine');
  const planned = planFine(env, data, currentCoarse(env, data)).trials.map((t) => t.hash);
  sameTrials(env, 'fine', fine.centres.flatMap((c) => c.trials.map((t) => t.hash)), planned);
  return fine;
}

function sameTrials(env: StageEnv, stage: StageName, got: string[], expected: string[]): void {
  if (got.length === expected.length && got.every((h, i) => h === expected[i])) return;
  const file = shown(env, resultFile(env.workspace, env.study.profile, stage));
  throw new BnlabError(`run '${stage}' first: ${file} is out of date (its trials are not those of the current data and upstream results)`);
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

export type StageOutcome =
  | { kind: 'done'; file: string; trained: number }
  | { kind: 'incomplete'; trained: number; stored: number; total: number }
  | { kind: 'check-failed'; message: string };

export async function runStage(stage: Exclude<StageName, 'report'>, o: RunStageOptions): Promise<StageOutcome> {
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
  if (stage === 'gradcheck') {
    // The table is printed once the progress view is done with the terminal.
    let table: string[] = [];
    const outcome = await view.stage(stage, async (): Promise<StageOutcome> => {
      const data = upstreamResult<DataStageResult>(env, 'data');
      const [prepared] = Object.values(await preparedFor(env, data, ['main'], o.warn));
      const checked = gradcheckStage(env, prepared);
      table = checked.table;
      const { result } = checked;
      if (!result.passed) {
        const worst = Math.max(...result.nets.flatMap((n) => n.checks.map((c) => c.relativeError)));
        view.summary(`gradcheck: FAILED, no result written`);
        return { kind: 'check-failed', message: `gradcheck: relative error ${worst.toExponential(2)} > threshold ${result.threshold}` };
      }
      return done(writeStageResult(env, stage, result, timing({ total: 0, reused: 0, trained: 0 }, 0, 'in-process')), 0);
    });
    for (const line of table) o.print(line);
    return outcome;
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
          dir: trialStoreDir(env.workspace, env.study.profile),
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
