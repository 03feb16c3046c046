// The study's plan under one profile: for every stage, whether its result is current, which trials
// it needs and which of them the store holds, and the work left. Read-only: nothing is trained,
// written or deleted. A training stage's result counts as current only when all its trials are
// stored and aggregating them gives exactly the bytes of its result.json.
import { readFileSync } from 'node:fs';
import type { DataStageResult } from '@bnlab/report';
import { stageDependencies, stageKind, stageNames } from '../config/stages.js';
import { readRecord, trialStoreDir } from '../trials/store.js';
import type { TrialRecord } from '../trials/executor.js';
import { resultFile, resultState, resultText, type StageEnv } from './context.js';
import { isTrainingStage, planStage, stageKindModule } from './run-stage.js';

export type ResultStatus = 'current' | 'missing' | 'stale' | 'invalid' | 'unchecked';

export interface PlannedTrial {
  hash: string;
  label: string;
  stored: boolean;
}

export interface StagePlan {
  stage: string;
  /** The stage's kind ('data' for the built-in stage). */
  kind: string;
  dependsOn: string[];
  result: ResultStatus;
  /** Why the result is not current. */
  reason?: string;
  /** null for stages that train nothing (data, gradcheck, report). */
  trials: null | {
    /** false when the trials depend on an upstream result that is not current: counts are then the configured sizes. */
    known: boolean;
    total: number;
    stored: number;
    missing: number;
    list: PlannedTrial[];
  };
}

export interface StudyPlan {
  profile: string;
  profiles: string[];
  kernel: string;
  engine: string;
  /** The data stage's fingerprints were checked against the data files (false: data not present here). */
  dataChecked: boolean;
  stages: StagePlan[];
  /** Trials to train before every stage is current (configured sizes where trials are not known yet). */
  trialsLeft: number;
  /** Some stage's trials depend on an upstream result that is not current yet. */
  trialsUnknown: boolean;
  /** Stages whose result is not current, or whose upstream is not, in graph order. */
  stagesToRun: string[];
}

/** How many trials a stage will need, from its configuration alone. */
export function configuredTrialCount(env: StageEnv, stage: string): number {
  const { stage: s, kind } = stageKindModule(env, stage);
  return kind.configuredTrials?.(s.settings) ?? 0;
}

/**
 * `fingerprints`: the prepared data's actual fingerprints by preparation, when the caller could
 * prepare it; a data result that disagrees is stale. Without them the data result is trusted.
 */
export function planStudy(env: StageEnv, warn: (line: string) => void = () => {}, fingerprints?: Record<string, string>): StudyPlan {
  const dir = trialStoreDir(env.workspace);
  const plans = new Map<string, StagePlan>();
  const names = stageNames(env.study);
  for (const stage of names) {
    const dependsOn = stageDependencies(env.study, stage);
    const blocked = dependsOn.find((d) => plans.get(d)?.result !== 'current');
    const p: StagePlan = { stage, kind: stageKind(env.study, stage), dependsOn, result: 'missing', trials: null };
    plans.set(stage, p);

    if (stage !== 'data' && stageKindModule(env, stage).kind.name === 'report') {
      // The report stage's output is the report package's; its freshness is Nx's to judge.
      p.result = 'unchecked';
      continue;
    }
    const own = resultState(env, stage);
    p.result = own.state === 'current' ? 'current' : own.state === 'corrupt' ? 'invalid' : own.state;
    if (own.state === 'stale' || own.state === 'invalid' || own.state === 'corrupt') p.reason = own.why;
    if (stage === 'data' && own.state === 'current' && fingerprints) {
      const changed = (own.value as DataStageResult).preparations.find((x) => fingerprints[x.name] !== x.fingerprint);
      if (changed) {
        p.result = 'stale';
        p.reason = `the '${changed.name}' data now has fingerprint ${String(fingerprints[changed.name]).slice(0, 12)}…, not ${changed.fingerprint.slice(0, 12)}…`;
      }
    }

    if (isTrainingStage(env, stage)) {
      if (blocked !== undefined) {
        // Its trials' hashes need current upstream results (data fingerprints, the searches' best λs).
        const n = configuredTrialCount(env, stage);
        p.trials = { known: false, total: n, stored: 0, missing: n, list: [] };
      } else {
        const e = expand(env, stage, dir, warn);
        p.trials = e.trials;
        if (p.result === 'current' && e.trials.missing > 0) {
          p.result = 'stale';
          p.reason = `${e.trials.missing} of its trials are not in the trial store`;
        } else if (p.result === 'current' && e.aggregated !== storedContent(resultFile(env.workspace, env.study.profile, stage))) {
          p.result = 'stale';
          p.reason = 'its trials aggregate to a different result (an upstream result changed)';
        }
      }
    }
    if (blocked !== undefined && p.result === 'current') {
      p.result = 'stale';
      p.reason = `upstream '${blocked}' is not current`;
    }
  }
  const stages = names.map((s) => plans.get(s)!);
  const toRun = new Set<string>();
  for (const p of stages) {
    if ((p.result !== 'current' && p.result !== 'unchecked') || p.dependsOn.some((d) => toRun.has(d))) toRun.add(p.stage);
  }
  // The report's freshness is Nx's to judge: it runs whenever anything else does.
  if (toRun.size > 0) for (const p of stages) if (p.result === 'unchecked') toRun.add(p.stage);
  return {
    profile: env.study.profile,
    profiles: [...env.study.profiles],
    kernel: env.kernel,
    engine: env.engine,
    dataChecked: fingerprints !== undefined,
    stages,
    trialsLeft: stages.reduce((n, p) => n + (p.trials?.missing ?? 0), 0),
    trialsUnknown: stages.some((p) => p.trials !== null && !p.trials.known),
    stagesToRun: names.filter((s) => toRun.has(s)),
  };
}

/** A result.json's text as written, without its checksum (which the aggregate has not got). */
function storedContent(file: string): string {
  const { checksum: _, ...content } = JSON.parse(readFileSync(file, 'utf8')) as { checksum?: string };
  return resultText(content);
}

function expand(env: StageEnv, stage: string, dir: string, warn: (line: string) => void) {
  const planned = planStage(env, stage);
  const records = new Map<string, TrialRecord>();
  const seen = new Set<string>();
  const list: PlannedTrial[] = [];
  for (const t of planned.trials) {
    if (seen.has(t.hash)) continue;
    seen.add(t.hash);
    const r = readRecord(dir, t.hash, warn, false);
    if (r) records.set(t.hash, r);
    list.push({ hash: t.hash, label: t.label, stored: r !== undefined });
  }
  const stored = records.size;
  const aggregated = stored === list.length ? resultText(planned.aggregate(records)) : undefined;
  return { trials: { known: true, total: list.length, stored, missing: list.length - stored, list }, aggregated };
}
