// The study's graph and what each stage's results depend on. The graph is the declaration: the
// built-in data stage first, then the declared stages in run order (declaration order, each after the
// stages it reads with `from`); a report stage reads every other stage.
import type { ResolvedStage, ResolvedStudy } from './types.js';
import { hashOf } from '../util/canonical-json.js';

/** The built-in stage every study starts with. */
export const DATA_STAGE = 'data';

/** Every stage in run (topological) order, data first. */
export function stageNames(study: ResolvedStudy): string[] {
  return [DATA_STAGE, ...study.stages.map((s) => s.name)];
}

export function isStageName(study: ResolvedStudy, s: string): boolean {
  return stageNames(study).includes(s);
}

/** The declared stage named `name` (undefined for data or an unknown name). */
export function findStage(study: ResolvedStudy, name: string): ResolvedStage | undefined {
  return study.stages.find((s) => s.name === name);
}

/** A stage's kind: 'data' for the built-in stage. */
export function stageKind(study: ResolvedStudy, name: string): string {
  return name === DATA_STAGE ? DATA_STAGE : (findStage(study, name)?.kind ?? 'unknown');
}

/** A stage's direct upstream stages. */
export function stageDependencies(study: ResolvedStudy, name: string): string[] {
  return name === DATA_STAGE ? [] : [...(findStage(study, name)?.dependsOn ?? [])];
}

/** Every stage `stage` depends on, directly or not, in graph order. */
export function upstreamStages(study: ResolvedStudy, stage: string): string[] {
  const seen = new Set<string>();
  const visit = (s: string) => {
    for (const d of stageDependencies(study, s)) {
      if (!seen.has(d)) {
        seen.add(d);
        visit(d);
      }
    }
  };
  visit(stage);
  return stageNames(study).filter((s) => seen.has(s));
}

/**
 * The part of the resolved study a stage's result depends on: its kind and settings, the data
 * preparation settings and the kernel id. Not the data directory (a machine path: the data's
 * content is covered by its fingerprint), not workers or the executor (where and how many threads
 * never change a number), not the profile's name. Upstream results reach a stage through their
 * result.json files, not through this.
 */
export function stageConfig(study: ResolvedStudy, stage: string): Record<string, unknown> {
  const { dataset, validation, finalValidation } = study.data;
  const data = { dataset, validation, finalValidation };
  if (stage === DATA_STAGE) return { stage, data };
  const s = findStage(study, stage);
  if (!s) throw new Error(`no stage '${stage}'`);
  return { stage, kind: s.kind, data, kernel: study.kernel, settings: s.settings };
}

/** sha256 of the stage's configuration in canonical JSON: the stage's configHash. */
export function stageDigest(study: ResolvedStudy, stage: string): string {
  return hashOf(stageConfig(study, stage));
}
