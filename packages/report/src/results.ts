// The shapes the report reads: the data and gradcheck stage results, and the inputs of the chart
// functions (a group of runs with histories, a λ search, an evaluation's runs). The pipeline's kinds
// produce their results and adapt them to these shapes. No machine paths, no clocks.

// The engine's result types, defined once there and imported as types only: the report stays free of engine code.
import type { HistoryPoint, Init, Pair, Split3, TrainResult } from '@bnlab/engine';

export type { HistoryPoint, Init, Pair, Split3, TrainResult };

export interface NetSpec {
  hidden: number[];
  batchNorm: boolean;
  init: Init;
}

/** Present in every stage result. */
export interface StageHeader {
  stage: StageName;
  /** The stage's kind (grid, search, …; data for the built-in data stage). */
  kind?: string;
  profile: string;
  /** sha256 of the stage's resolved configuration (canonical JSON). */
  configHash: string;
  /** Engine identity: numerics version + kernel id, e.g. "bnlab-engine/1+wasm-simd-f32". */
  engine: string;
  kernel: string;
}

/** A stage's name: the user's (experiments.yaml), or a built-in one (data). */
export type StageName = string;

export interface Preparation {
  /** 'main' (the study's split) or 'final' (the final stage's smaller validation set). */
  name: string;
  validation: number;
  splits: Split3;
  /** sha256 of a header without paths, the labels and the data. */
  fingerprint: string;
}

export interface DataStageResult extends StageHeader {
  stage: 'data';
  dataset: string;
  classes: string[];
  dimensions: number;
  preparations: Preparation[];
}

export interface GradcheckEntry {
  parameter: 'W' | 'b' | 'gamma' | 'beta';
  /** Numbered from 1. */
  layer: number;
  relativeError: number;
}

export interface GradcheckStageResult extends StageHeader {

  threshold: number;
  h: number;
  dims: number;
  samples: number;
  lambda: number;
  /** ε of batch norm in the checked nets (absent in results written before it was recorded). */
  eps?: number;
  passed: boolean;
  /** bnPlacement: present only for batch norm after the ReLU. */
  nets: { hidden: number[]; batchNorm: boolean; bnPlacement?: 'after'; passed: boolean; checks: GradcheckEntry[] }[];
}

/** A trial with its full history (curves, σ study). */
export interface RunWithHistory {
  seed: number;
  hash: string;
  result: TrainResult;
}

/** A group = one configuration run with several seeds. `name` is a short label, e.g. "3-layer, BN". */
export interface CurveGroup {
  name: string;
  net: NetSpec;
  lambda: number;
  runs: RunWithHistory[];
}

export interface CurvesStageResult extends StageHeader {
  groups: CurveGroup[];
}

/** One λ trial of a search (no history: searches keep only the figures they rank by). */
export interface SearchTrial {
  lambda: number;
  seed: number;
  hash: string;
  accuracy: Split3;
  cost: Split3;
  diverged: boolean;
}

export interface CoarseStageResult extends StageHeader {
  /** λ = 10^u, u uniform in [exponentMin, exponentMax]. */
  exponentMin: number;
  exponentMax: number;
  net: NetSpec;
  cycles: number;
  /** Every trial in draw order. */
  trials: SearchTrial[];
  /** The best trials by validation accuracy (diverged last), best first. */
  best: SearchTrial[];
}

export interface FineStageResult extends StageHeader {
  halfWidth: number;
  floor: number;
  net: NetSpec;
  cycles: number;
  centres: { centre: number; trials: SearchTrial[] }[];
  /** The best trial over all centres. */
  best: SearchTrial;
}

export interface FinalRun {
  seed: number;
  hash: string;
  accuracy: Split3;
  diverged: boolean;
}

export interface FinalStageResult extends StageHeader {
  lambda: number;
  cycles: number;
  groups: {
    name: string;
    net: NetSpec;
    runs: FinalRun[];
    mean: Split3;
    /** Sample standard deviation (n − 1). */
    std: Split3;
  }[];
}

export interface SigmaGroup extends CurveGroup {
  sigma: number;
}

export interface SigmaStageResult extends StageHeader {
  groups: SigmaGroup[];
}
