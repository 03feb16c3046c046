// The study as Nx targets: pure functions from the resolved profiles to the `pipeline` project.
// Designed around what Nx 23.3.1 does (measured, see issue 5):
//   - options and configurations are hashed into every target of the project, so they hold only the
//     profile's name (a constant per configuration). A stage's parameters reach only its own hash,
//     through a runtime input echoing its digest under every profile.
//   - dependsOn alone serves stale results: every stage also hashes its upstream result.json files.
//   - an unknown `-c` silently becomes the default configuration (task id, options, cache entry and
//     NX_TASK_TARGET_CONFIGURATION alike), so the task cannot tell: plugin.ts's preTasksExecution
//     hook rejects it from Nx's argv. Every target has defaultConfiguration 'default'.
//   - outputs can't depend on the configuration except through options: results/{options.profile}/<stage>.
// Stages hash the packages' sources but run their built dist/: every stage depends on `compile`
// (scripts/build.mjs), so a result is never computed by stale code under a new source hash.
// `compile` is not cached: a cache hit restores its outputs, and Nx restores by rewriting them, so a
// second `nx run` would replace packages/*/dist under a first one's running stages (issue 17: "Cannot
// find module …/dist/cli/main.js"). The build itself writes nothing when nothing changed (tsc -b
// and the WebAssembly step check their inputs; about 2 s), so two runs at once leave dist/ alone.
import type { ResolvedStudy } from '../config/types.js';
import { DEFAULT_PROFILE } from '../config/load.js';
import { DATA_STAGE, findStage, stageDependencies, stageDigest, stageKind, stageNames } from '../config/stages.js';
import { kindOf } from '../kinds/registry.js';

/** The kinds of Nx input these targets use. */
export type TargetInput = string | { runtime: string } | { env: string } | { dependentTasksOutputFiles: string; transitive?: boolean };

/** The subset of Nx's TargetConfiguration these targets use (kept local: no runtime dependency on nx). */
export interface PipelineTarget {
  executor: 'nx:run-commands' | 'nx:noop';
  options?: Record<string, unknown>;
  configurations?: Record<string, Record<string, unknown>>;
  defaultConfiguration?: string;
  dependsOn?: string[];
  cache?: boolean;
  parallelism?: boolean;
  inputs?: TargetInput[];
  outputs?: string[];
  metadata?: { description: string };
}

export const PROJECT_NAME = 'pipeline';
export const BNLAB = 'node packages/pipeline/bin/bnlab.js';
/** Prints the data sources' names, sizes and mtimes under every profile (cheap: no file is read). */
export const DATA_STAMP = 'node packages/pipeline/dist/nx/data-stamp-main.js';

/** What every stage's results depend on besides its own configuration: the code that computes them. */
export const SOURCE_INPUTS: readonly string[] = [
  '{workspaceRoot}/packages/engine/**/*',
  '{workspaceRoot}/packages/pipeline/**/*',
  '{workspaceRoot}/packages/report/**/*',
  '!{workspaceRoot}/packages/*/**/*.spec.ts',
  '!{workspaceRoot}/packages/*/**/*.md',
  '{workspaceRoot}/package-lock.json',
];

/** Prints the corrupt trial records of every profile (none: one `sound` line each); see store-check.ts. */
export const STORE_CHECK = 'node packages/pipeline/dist/nx/store-check-main.js';

/** The same, with a digest of every record (the report's provenance reads their meta). */
export const STORE_RECORDS = `${STORE_CHECK} --records`;

/** Builds what the stages run (WebAssembly kernels, then TypeScript): the root build script. */
export const COMPILE_TARGET = 'compile';

/** A stage's target description: its kind's, with the stage's name. */
function description(study: ResolvedStudy, stage: string): string {
  if (stage === DATA_STAGE) return 'prepare the data set for every split the study uses';
  const kind = stageKind(study, stage);
  return `${kind}: ${kindOf(kind)?.description ?? ''}`;
}

/**
 * The studies with kernel 'auto' replaced by `machineDefault` (this machine's fastest kernel), so the
 * stage digests name the kernel that trains: a cache entry made with one kernel is not served where
 * 'auto' means another.
 */
export function resolveAutoKernel(studies: Record<string, ResolvedStudy>, machineDefault: string): Record<string, ResolvedStudy> {
  return Object.fromEntries(
    Object.entries(studies).map(([profile, study]) => [profile, study.kernel === 'auto' ? { ...study, kernel: machineDefault } : study]),
  );
}

/** One line per profile, `profile=digest`, for the stage's runtime input (`-` where a profile lacks the stage). */
export function digestLine(studies: Record<string, ResolvedStudy>, stage: string): string {
  return Object.entries(studies)
    .map(([profile, study]) => `${profile}=${stage === DATA_STAGE || findStage(study, stage) ? stageDigest(study, stage) : '-'}`)
    .join(' ');
}

/** The profiles as Nx configurations: each sets only `profile` (forwarded to `bnlab run` as --profile=NAME). */
export function profileConfigurations(studies: Record<string, ResolvedStudy>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.keys(studies).map((p) => [p, { profile: p }]));
}

export function stageTarget(studies: Record<string, ResolvedStudy>, stage: string): PipelineTarget {
  const base = studies[DEFAULT_PROFILE] ?? Object.values(studies)[0];
  const isReport = stage !== DATA_STAGE && stageKind(base, stage) === 'report';
  const outputs = [`{workspaceRoot}/results/{options.profile}/${stage}`];
  if (isReport) outputs.push('{workspaceRoot}/report/{options.profile}');
  const inputs: TargetInput[] = [
    // The digest is computed here, when Nx builds the graph (which it redoes whenever experiments.yaml
    // changes): the command only echoes it, so hashing starts no node process per stage.
    { runtime: `echo ${digestLine(studies, stage)}` },
    ...SOURCE_INPUTS,
  ];
  if (stage === DATA_STAGE) inputs.push({ runtime: DATA_STAMP }, { env: 'BNLAB_CIFAR10_DIR' });
  // Upstream results, transitively (a change two stages up reaches this one even if the middle
  // stage's result were unchanged, which it cannot be, but it keeps the rule obviously safe).
  else inputs.push({ dependentTasksOutputFiles: '**/result.json', transitive: true });
  // A corrupt trial record must be repaired, not served around from the cache. The report also sums
  // compute time from the records' meta, which retraining identical trials changes without changing
  // any result.json (see store-check.ts).
  if (isReport) inputs.push({ runtime: STORE_RECORDS });
  else if (stage !== 'data' && stage !== 'gradcheck') inputs.push({ runtime: STORE_CHECK });
  return {
    executor: 'nx:run-commands',
    options: { command: `${BNLAB} run ${stage}` },
    configurations: profileConfigurations(studies),
    defaultConfiguration: DEFAULT_PROFILE,
    dependsOn: [COMPILE_TARGET, ...stageDependencies(base, stage)],
    cache: true,
    // Each stage already uses every core.
    parallelism: false,
    inputs,
    outputs,
    metadata: { description: description(base, stage) },
  };
}

export function pipelineTargets(studies: Record<string, ResolvedStudy>): Record<string, PipelineTarget> {
  const targets: Record<string, PipelineTarget> = {
    [COMPILE_TARGET]: {
      executor: 'nx:run-commands',
      options: { command: 'node scripts/build.mjs' },
      // Never restored from a cache (see the top of this file): the build is incremental instead.
      cache: false,
      metadata: { description: 'build the packages the stages run (WebAssembly kernels, TypeScript)' },
    },
  };
  const base = studies[DEFAULT_PROFILE] ?? Object.values(studies)[0];
  for (const stage of stageNames(base)) targets[stage] = stageTarget(studies, stage);
  targets.all = {
    executor: 'nx:noop',
    configurations: profileConfigurations(studies),
    defaultConfiguration: DEFAULT_PROFILE,
    dependsOn: stageNames(base),
    metadata: { description: 'the whole study' },
  };
  return targets;
}

export interface PipelineProject {
  name: string;
  root: string;
  projectType: 'application';
  tags: string[];
  targets: Record<string, PipelineTarget>;
}

export function pipelineProject(studies: Record<string, ResolvedStudy>): PipelineProject {
  return { name: PROJECT_NAME, root: '.', projectType: 'application', tags: ['study'], targets: pipelineTargets(studies) };
}
