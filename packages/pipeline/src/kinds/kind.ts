// What a stage kind is: one module (kinds/<kind>.ts) giving its schema fragment, how its settings are
// resolved and checked, which stages it reads, its trials and how their records aggregate into its
// result, and its report section. kinds/registry.ts lists them; adding a kind is its module plus one
// line there (and `npm run schema` to regenerate experiments.schema.json).
import type { Block } from '@bnlab/report';
import type { PathSegment } from '../config/schema.js';
import type { Plain } from '../config/merge.js';
import type { Net, ResolvedStage, ResolvedStudy, Training } from '../config/types.js';
import type { StageEnv } from '../stages/context.js';
import type { PlannedStage, StageOutcome } from '../stages/stage.js';
import type { StageView } from '../stages/progress.js';
import type { DataStageResult } from '@bnlab/report';
import type { OptionValue } from '@bnlab/engine';

/** Resolution helpers a kind gets for one stage; every problem is reported, none thrown. */
export interface ResolveContext {
  stage: string;
  /** Records a problem at `keys` below the stage (the first of several candidate key paths the file sets). */
  problem(keys: PathSegment[] | PathSegment[][], message: string): void;
  /** defaults.training merged with the stage's `training` block, checked. */
  training(): Training;
  /** defaults.training alone. */
  defaultTraining(): Training;
  /** The named net of defaults.nets (an unknown name is a problem at `keys`; hidden [] then). */
  net(name: string, batchNorm: boolean, keys: PathSegment[]): Net;
  /** Every net name of defaults.nets. */
  netNames: string[];
  /** defaults.nets's widths of the nets in `names` that exist. */
  netTable(names: readonly string[]): Record<string, number[]>;
  /** Checks that `name` is a study option and `value` is valid for it (problems at `keys`); false if not. */
  checkValue(name: string, value: unknown, keys: PathSegment[]): boolean;
  /** Checks an option name (did-you-mean when unknown); false if unknown. */
  checkOption(name: string, keys: PathSegment[]): boolean;
  /** The resolved upstream stage named by `from`, checked: it exists and (when `keeps`) keeps values. */
  from(name: string, keys: PathSegment[], keeps: boolean): ResolvedStage | undefined;
  /** Input dimensions of the study's data set. */
  dimensions: number;
}

/** What a training kind plans from: the stage, the data result and its upstream stages' current results. */
export interface PlanContext {
  env: StageEnv;
  data: DataStageResult;
  /** The current result of an upstream stage this one reads (`from`). */
  upstream(stage: string): unknown;
}

/** What a report section is rendered with. */
export interface SectionContext {
  study: ResolvedStudy;
  stage: ResolvedStage;
  data: DataStageResult;
  /** Chart ids and file names must be unique in the report: a prefix per stage. */
  document: import('@bnlab/report').ReportDocument;
  /** File names already taken in the report (a section adds its own). */
  files: Set<string>;
}

/** What an in-process kind (gradcheck, report) runs with. */
export interface KindRunOptions {
  env: StageEnv;
  view: StageView;
  /** One-line notes for stderr. */
  warn: (line: string) => void;
  /** Lines for stdout (the gradient check's table). */
  print: (line: string) => void;
  /** Writes the result (validated) and timing.json, and returns the outcome. */
  done(result: unknown): StageOutcome;
}

export interface KindSchema {
  description: string;
  properties: Record<string, unknown>;
  required?: string[];
}

/** The values a search or refine keeps, best first (what `from` hands on). */
export interface Kept {
  values: Record<string, OptionValue>;
}

export interface Kind<S = any, R = any> {
  readonly name: string;
  /** One line for Nx target descriptions and the README. */
  readonly description: string;
  readonly schema: KindSchema;
  /** Its result has kept values a refine or evaluate can start `from`. */
  readonly keeps: boolean;
  /** The stages it reads, named in its raw settings (before resolution, for the graph). */
  from(raw: Plain): string[];
  /** Whether it reads the data stage (everything but the report does). */
  readonly readsData: boolean;
  resolve(raw: Plain, ctx: ResolveContext): S;
  /** Training kinds: the trials, and how their records aggregate into the result. */
  plan?(stage: ResolvedStage<S>, ctx: PlanContext): PlannedStage<R>;
  /** Training kinds: how many trials, from the configuration alone (before upstream results exist). */
  configuredTrials?(settings: S): number;
  /** In-process kinds: runs the stage (instead of planning trials). */
  run?(stage: ResolvedStage<S>, o: KindRunOptions): Promise<StageOutcome>;
  /** The trial hashes behind a result, in result order (provenance, and whether a result is current). */
  trialHashes?(result: R): string[];
  /** The kept values of a result, best first (kinds with `keeps`). */
  kept?(result: R): Kept[];
  /** Its report section (after its stage heading) and its computed conclusions. */
  section?(result: R, ctx: SectionContext): { blocks: Block[]; conclusions: string[] };
  /** The training settings it used, for the report's settings table (kinds that train). */
  training?(settings: S): Training;
}
