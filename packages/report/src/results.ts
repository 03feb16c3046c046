// The shapes of the pipeline's stage results (results/<profile>/<stage>/result.json): the report's
// input contract. The pipeline produces them (and validates them against JSON Schemas); the report
// only reads them. Everything here is determined by the configuration and the trial records, so a
// re-run over a complete trial store reproduces each file byte for byte. No machine paths, no clocks.

export interface Split3 {
  train: number;
  validation: number;
  test: number;
}

export interface Pair {
  train: number;
  validation: number;
}

/** One recorded point of a training history (about 10 per cycle). */
export interface HistoryPoint {
  update: number;
  epoch: number;
  eta: number;
  cost: Pair;
  loss: Pair;
  accuracy: Pair;
}

/** What one training run determines (the engine's training output). */
export interface TrainResult {
  accuracy: Split3;
  cost: Split3;
  loss: Split3;
  history: HistoryPoint[];
  /** The cost became NaN or infinite: training stopped there; the figures are the last finite ones. */
  diverged: boolean;
}

export type Init = { kind: 'he' } | { kind: 'normal'; sigma: number };

export interface NetSpec {
  hidden: number[];
  batchNorm: boolean;
  init: Init;
}

/** Present in every stage result. */
export interface StageHeader {
  stage: StageName;
  profile: string;
  /** sha256 of the stage's resolved configuration (canonical JSON). */
  configHash: string;
  /** Engine identity: numerics version + kernel id, e.g. "bnlab-engine/1+wasm-simd-f32". */
  engine: string;
  kernel: string;
}

export type StageName = 'data' | 'gradcheck' | 'curves' | 'coarse' | 'fine' | 'final' | 'sigma' | 'report';

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
  stage: 'gradcheck';
  threshold: number;
  h: number;
  dims: number;
  samples: number;
  lambda: number;
  /** ε of batch norm in the checked nets (absent in results written before it was recorded). */
  eps?: number;
  passed: boolean;
  nets: { hidden: number[]; batchNorm: boolean; passed: boolean; checks: GradcheckEntry[] }[];
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
  stage: 'curves';
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
  stage: 'coarse';
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
  stage: 'fine';
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
  stage: 'final';
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
  stage: 'sigma';
  groups: SigmaGroup[];
}

/** Everything the report renders: the stage results plus compute time summed from the trial records' meta. */
export interface StudyResults {
  profile: string;
  data: DataStageResult;
  gradcheck: GradcheckStageResult;
  curves: CurvesStageResult;
  coarse: CoarseStageResult;
  fine: FineStageResult;
  final: FinalStageResult;
  sigma: SigmaStageResult;
  /** Compute seconds per stage, summed from trial records' meta (not part of any hash). */
  computeSeconds: Partial<Record<StageName, number>>;
  /** Free text naming the data the study ran on, e.g. "the real CIFAR-10 subset (5170 + 1017 images)". */
  dataNote: string;
  /** The study's title (experiments.yaml `stages.report.title`); the report's heading when given. */
  title?: string;
}
