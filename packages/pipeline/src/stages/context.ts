// What every stage works from: the workspace, the resolved study, the engine identity, and the
// upstream stages' results read from results/<profile>/<stage>/result.json. Results are written as
// pretty-printed JSON with sorted keys (canonical content: byte-identical on any machine given the
// same configuration and trial records) and a `checksum` (sha256 of the canonical JSON of the rest),
// so a changed digit is caught before a later stage trusts it; timing.json beside it holds this run's wall time, workers and
// host, and nothing downstream reads it.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { StageHeader } from '@bnlab/report';
import { BnlabError } from '../errors.js';
import { stageDigest, stageKind } from '../config/stages.js';
import type { ResolvedStudy } from '../config/types.js';
import { sweepTempFiles, writeFileAtomic } from '../util/atomic-write.js';
import { canonicalJson, hashOf } from '../util/canonical-json.js';
import { schemaErrors } from './schemas.js';

export interface StageEnv {
  workspace: string;
  study: ResolvedStudy;
  /** The kernel trials train with (study.kernel, 'auto' resolved on this machine). */
  kernel: string;
  /** engineIdentity(kernel). */
  engine: string;
}

export function resultFile(workspace: string, profile: string, stage: string): string {
  return path.join(workspace, 'results', profile, stage, 'result.json');
}

/** A workspace-relative path for messages (results/default/coarse/result.json). */
export function shown(env: { workspace: string }, file: string): string {
  const rel = path.relative(env.workspace, file);
  return rel.startsWith('..') ? file : rel.split(path.sep).join('/');
}

export function stageHeader(env: StageEnv, stage: string, kernel = env.kernel, engine = env.engine): StageHeader {
  // The data stage's header has no kind (its result is the same bytes as before kinds existed).
  const kind = stage === 'data' ? {} : { kind: stageKind(env.study, stage) };
  return { stage, ...kind, profile: env.study.profile, configHash: stageDigest(env.study, stage), engine, kernel };
}

/** Pretty JSON with every object's keys sorted; the same value always gives the same bytes. */
export function resultText(value: unknown): string {
  return `${JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)}\n`;
}

export type ResultState =
  | { state: 'missing' }
  | { state: 'invalid'; why: string }
  | { state: 'corrupt'; why: string }
  | { state: 'stale'; why: string }
  | { state: 'current'; value: unknown };

/** Why a result's checksum does not match its content, or undefined (also for a legacy result without one). */
export function checksumProblem(value: object): string | undefined {
  const { checksum, ...content } = value as { checksum?: string };
  if (checksum === undefined) return undefined;
  const actual = hashOf(content);
  return actual === checksum ? undefined : `its content hashes to ${actual.slice(0, 12)}…, not its checksum ${checksum.slice(0, 12)}… (a value was changed)`;
}

/**
 * The state of a stage's result.json: absent, unreadable or not matching its schema, changed since it
 * was written (corrupt), made from another configuration or engine (stale), or current.
 */
export function resultState(env: StageEnv, stage: string): ResultState {
  const file = resultFile(env.workspace, env.study.profile, stage);
  if (!existsSync(file)) return { state: 'missing' };
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { state: 'invalid', why: `not JSON (${(err as Error).message})` };
  }
  const errors = schemaErrors(`result-${stageKind(env.study, stage)}`, value);
  if (errors.length > 0) return { state: 'invalid', why: errors.slice(0, 3).join('; ') };
  const corrupt = checksumProblem(value as object);
  if (corrupt !== undefined) return { state: 'corrupt', why: corrupt };
  // The report's manifest has no configuration hash: whether it is current is Nx's to judge.
  if (stageKind(env.study, stage) === 'report') return { state: 'current', value };
  const h = value as StageHeader;
  const digest = stageDigest(env.study, stage);
  if (h.profile !== env.study.profile) return { state: 'stale', why: `it is profile '${h.profile}''s` };
  if (h.configHash !== digest) return { state: 'stale', why: "the stage's configuration changed since it was written" };
  // gradcheck always checks in float64 with its own kernel; the data stage trains nothing.
  if (stage !== 'data' && stageKind(env.study, stage) !== 'gradcheck' && h.engine !== env.engine) {
    return { state: 'stale', why: `it was computed by ${h.engine}, this run uses ${env.engine}` };
  }
  return { state: 'current', value };
}

/**
 * An upstream result the stage needs; anything but a current one is an error naming what to run. A
 * corrupt one is deleted first, so the stage that made it recomputes it (under Nx: restores it).
 */
export function upstreamResult<T>(env: StageEnv, stage: string): T {
  const path_ = resultFile(env.workspace, env.study.profile, stage);
  const file = shown(env, path_);
  const s = resultState(env, stage);
  switch (s.state) {
    case 'current':
      return s.value as T;
    case 'missing':
      throw new BnlabError(`run '${stage}' first: ${file} is missing`);
    case 'invalid':
      throw new BnlabError(`run '${stage}' again: ${file} is not a valid ${stageKind(env.study, stage)} result (${s.why})`);
    case 'corrupt':
      rmSync(path_, { force: true });
      throw new BnlabError(`run '${stage}' again: ${file} is corrupt (${s.why}); deleted`);
    case 'stale':
      throw new BnlabError(`run '${stage}' first: ${file} is out of date (${s.why})`);
  }
}

export interface Timing {
  stage: string;
  profile: string;
  wallSeconds: number;
  /** Trial seconds summed from the records this run trained. */
  trainedComputeSeconds: number;
  workers: number;
  executor: string;
  host: string;
  trials: { total: number; reused: number; trained: number };
  finishedAt: string;
}

/** Validates and writes result.json (temp + rename), then timing.json beside it. */
export function writeStageResult(env: StageEnv, stage: string, result: unknown, timing: Omit<Timing, 'host' | 'finishedAt'>): string {
  const errors = schemaErrors(`result-${stageKind(env.study, stage)}`, result);
  if (errors.length > 0) throw new Error(`the ${stage} result does not match its schema: ${errors.join('; ')}`);
  const file = resultFile(env.workspace, env.study.profile, stage);
  sweepTempFiles(path.dirname(file));
  writeFileAtomic(file, resultText({ ...(result as object), checksum: hashOf(result) }));
  const t: Timing = { ...timing, host: hostname(), finishedAt: new Date().toISOString() };
  writeFileAtomic(path.join(path.dirname(file), 'timing.json'), `${JSON.stringify(t, null, 2)}\n`);
  return file;
}
