// data: prepares the data set for every preparation the study trains on ('main' with the study's
// validation size, 'final' with the final stage's smaller one) and records their sizes and
// fingerprints. Training stages prepare the same data again (from the binary cache, in milliseconds)
// and check it against this result, so a data set changed behind the pipeline's back is an error,
// never a silently wrong trial hash.
import type { DataStageResult, Preparation } from '@bnlab/report';
import { BnlabError } from '../errors.js';
import { NORMALISATION, prepareDataset, type PrepareOptions, type PreparedDataset } from '../data/index.js';
import type { ResolvedStudy } from '../config/types.js';
import type { TrialData } from '../trials/executor.js';
import { resultFile, shown, stageHeader, type StageEnv } from './context.js';
import { canonicalJson } from '../util/canonical-json.js';

export const PREPARATIONS = ['main', 'final'] as const;

/** How preparation `name` of the study is made: what its trials carry to any worker. */
export function preparationData(study: ResolvedStudy, name: string): TrialData {
  const d = study.data;
  const validation = name === 'final' ? d.finalValidation : name === 'main' ? d.validation : NaN;
  if (Number.isNaN(validation)) throw new Error(`unknown preparation '${name}'`);
  return { dataset: d.dataset, ...(d.dir === undefined ? {} : { dir: d.dir }), validation, normalisation: NORMALISATION };
}

/** A preparation's identity among a worker's prepared data sets (its canonical JSON). */
export function dataKey(t: TrialData): string {
  return canonicalJson(t);
}

/** Prepares (or reads from the cache under workspaceRoot/.bnlab/data) the data `t` describes. */
export function prepareData(t: TrialData, workspaceRoot: string, log: (line: string) => void): Promise<PreparedDataset> {
  if (t.normalisation !== NORMALISATION) {
    throw new Error(`data normalised as '${t.normalisation}' is asked for; this bnlab prepares '${NORMALISATION}' (install the submitter's bnlab version)`);
  }
  return prepareDataset({ dataset: t.dataset, dir: t.dir, validation: t.validation, workspaceRoot, env: process.env, log });
}

/** What preparation `name` of the study asks the data loader for (gc reads its cache key). */
export function preparationOptions(env: StageEnv, name: string, log?: (line: string) => void): PrepareOptions {
  const t = preparationData(env.study, name);
  return { dataset: t.dataset, dir: t.dir, validation: t.validation, workspaceRoot: env.workspace, env: process.env, log };
}

export async function prepare(env: StageEnv, name: string, log: (line: string) => void): Promise<PreparedDataset> {
  return prepareData(preparationData(env.study, name), env.workspace, log);
}

export function describePreparation(name: string, p: PreparedDataset): Preparation {
  return { name, validation: p.splits.validation, splits: { ...p.splits }, fingerprint: p.fingerprint };
}

export async function dataStage(env: StageEnv, log: (line: string) => void): Promise<DataStageResult> {
  const prepared: PreparedDataset[] = [];
  for (const name of PREPARATIONS) prepared.push(await prepare(env, name, log));
  const first = prepared[0];
  return {
    // The data stage computes nothing with the engine: no kernel in its result, so it is the same
    // bytes whichever kernel a machine would pick.
    ...stageHeader(env, 'data', 'none', 'none'),
    stage: 'data',
    dataset: first.dataset,
    classes: [...first.classes],
    dimensions: first.d,
    preparations: PREPARATIONS.map((name, i) => describePreparation(name, prepared[i])),
  };
}

/** The prepared data a training stage trains on, checked against the data stage's result. */
export async function preparedFor(
  env: StageEnv,
  data: DataStageResult,
  names: readonly string[],
  log: (line: string) => void,
): Promise<Record<string, PreparedDataset>> {
  const out: Record<string, PreparedDataset> = {};
  for (const name of names) {
    const p = await prepare(env, name, log);
    const expected = data.preparations.find((x) => x.name === name)?.fingerprint;
    if (p.fingerprint !== expected) {
      const file = shown(env, resultFile(env.workspace, env.study.profile, 'data'));
      throw new BnlabError(
        `run 'data' first: the prepared '${name}' data has fingerprint ${p.fingerprint.slice(0, 12)}…, ${file} says ${String(expected).slice(0, 12)}…`,
      );
    }
    out[name] = p;
  }
  return out;
}
