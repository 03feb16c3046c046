// The shipped study's smoke profile as the e2e specs see it: its stages in run order and what a
// change to one stage re-runs (the specs follow experiments.yaml instead of listing stages).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStudy } from '../../packages/pipeline/src/config/load.js';
import { stageNames } from '../../packages/pipeline/src/config/stages.js';

const file = fileURLToPath(new URL('../../experiments.yaml', import.meta.url));

/** The shipped experiments.yaml under `profile`. */
export const shippedStudy = (profile = 'smoke') => loadStudy(file, profile);

export const smoke = shippedStudy('smoke');
/** Every stage of the smoke profile in run order, data first. */
export const SMOKE_STAGES = stageNames(smoke);

/** The stage and every stage that reads it, directly or not (the report reads every stage). */
export function downstream(stage: string): string[] {
  const out = new Set([stage]);
  for (const s of smoke.stages) if (s.dependsOn.some((d) => out.has(d))) out.add(s.name);
  return SMOKE_STAGES.filter((s) => out.has(s));
}
