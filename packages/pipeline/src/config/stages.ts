// The study's graph and what each stage's results depend on.
//
// Graph (direct dependencies):
//   data → gradcheck        gradcheck is the first stage after data; nothing trains on it, so
//                           editing its threshold never invalidates a training stage.
//   data → curves
//   data → coarse → fine → final
//   data → sigma
//   every stage → report
import type { ResolvedStudy, StageName } from './types.js';
import { hashOf } from '../util/canonical-json.js';

/** Every stage in graph (topological) order. */
export const stageNames: readonly StageName[] = ['data', 'gradcheck', 'curves', 'coarse', 'fine', 'final', 'sigma', 'report'];

/** Each stage's direct upstream stages. */
export const stageDependencies: Readonly<Record<StageName, readonly StageName[]>> = {
  data: [],
  gradcheck: ['data'],
  curves: ['data'],
  coarse: ['data'],
  fine: ['coarse'],
  final: ['fine'],
  sigma: ['data'],
  report: ['data', 'gradcheck', 'curves', 'coarse', 'fine', 'final', 'sigma'],
};

export function isStageName(s: string): s is StageName {
  return (stageNames as readonly string[]).includes(s);
}

/** Every stage `stage` depends on, directly or not, in graph order. */
export function upstreamStages(stage: StageName): StageName[] {
  const seen = new Set<StageName>();
  const visit = (s: StageName) => {
    for (const d of stageDependencies[s]) {
      if (!seen.has(d)) {
        seen.add(d);
        visit(d);
      }
    }
  };
  visit(stage);
  return stageNames.filter((s) => seen.has(s));
}

/**
 * The part of the resolved study a stage's result depends on: its own settings, the data
 * preparation settings and the kernel id. Not the data directory (a machine path: the data's
 * content is covered by its fingerprint), not workers or the executor (where and how many threads
 * never change a number), not the profile's name. Upstream results reach a stage through their
 * result.json files, not through this.
 */
export function stageConfig(study: ResolvedStudy, stage: StageName): Record<string, unknown> {
  const { dataset, validation, finalValidation } = study.data;
  const data = { dataset, validation, finalValidation };
  if (stage === 'data') return { stage, data };
  return { stage, data, kernel: study.kernel, settings: study.stages[stage] };
}

/** sha256 of the stage's configuration in canonical JSON: the stage's configHash. */
export function stageDigest(study: ResolvedStudy, stage: StageName): string {
  return hashOf(stageConfig(study, stage));
}
