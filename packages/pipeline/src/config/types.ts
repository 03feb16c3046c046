// The resolved study: experiments.yaml after schema validation, semantic checks, the profile's
// overrides and every default filled in. loadStudy() builds it once; everything downstream trusts it
// (no optional fields left to default again, no re-validation). Field names follow experiments.yaml.
import type { Init, StageName } from '@bnlab/report';

export type { Init, StageName };

export type Dataset = 'cifar10' | 'fashion-mnist';

export interface DataSpec {
  dataset: Dataset;
  /**
   * Where the source files are, as given in experiments.yaml (resolved against the workspace root by
   * the data loader; env BNLAB_CIFAR10_DIR and the built-in locations apply when absent). A machine
   * path: never part of a stage's configuration digest or of any result.
   */
  dir?: string;
  /** Validation size of the study's main preparation: a count of images, or a fraction of the training records when 0 < v < 1. */
  validation: number;
  /** The final stage's smaller validation set (its own preparation, 'final'): count or fraction as above. */
  finalValidation: number;
}

/** One network architecture. `name` is the architecture's name in experiments.yaml (e.g. "3-layer"); names are unique per stage. */
export interface Net {
  name: string;
  /** Hidden layer widths; the input and output sizes come from the data. */
  hidden: number[];
  batchNorm: boolean;
}

/** Training hyper-parameters: `defaults.training` merged with a stage's `training` overrides. */
export interface Training {
  /** L2 regularisation λ ≥ 0. */
  lambda: number;
  /** Cyclic learning rate bounds, 0 < etaMin ≤ etaMax. */
  etaMin: number;
  etaMax: number;
  /** Mini-batch size. */
  batch: number;
  /**
   * Half-cycle length n_s, exactly one of:
   *  - epochs: n_s = epochs × ⌊n_train / batch⌋ updates (relative to the data present; the reference's
   *    2250 updates on 45000 images with batch 100 is 5 epochs),
   *  - updates: an absolute number of updates.
   */
  ns: { epochs: number } | { updates: number };
  /** Number of full cycles (2·n_s updates each). */
  cycles: number;
  /** History points recorded per cycle (the last update of a cycle is always one). */
  pointsPerCycle: number;
  init: Init;
  /** ε inside batch norm's square root. */
  eps: number;
}

/** Training settings of a stage whose λ comes from elsewhere (a search draw, or the fine stage's best). */
export type SearchTraining = Omit<Training, 'lambda'>;

export interface GradcheckStage {
  /** Nets to check (default: 3- and 9-layer, each with and without batch norm). */
  nets: Net[];
  /** A relative error above this fails the stage. */
  threshold: number;
  /** Centred-difference step. */
  h: number;
  /** The check uses the first `dims` input dimensions and the first `samples` training images. */
  dims: number;
  samples: number;
  lambda: number;
  /** ε of batch norm (defaults.training.eps). */
  eps: number;
  /** Seed of the nets' initialisation. */
  seed: number;
}

export interface CurvesStage {
  /** Every net × batch norm, each trained with every seed; full histories. */
  nets: Net[];
  seeds: number[];
  training: Training;
}

export interface CoarseStage {
  net: Net;
  /** λ = 10^u, u uniform in [exponentMin, exponentMax] (exponentMin < exponentMax). */
  exponentMin: number;
  exponentMax: number;
  samples: number;
  /** Seed of the λ draws. */
  seed: number;
  /** Seed every λ trial trains with (same init and shuffling, so trials differ only by λ). */
  trialSeed: number;
  /** How many of the best λs (by validation accuracy) the fine stage searches around. */
  keep: number;
  training: SearchTraining;
}

export interface FineStage {
  /** Defaults to the coarse stage's net. */
  net: Net;
  samplesPerCentre: number;
  /** Draws are uniform in [centre − halfWidth, centre + halfWidth]. */
  halfWidth: number;
  /** Draws below the floor are clipped to it (never an error). */
  floor: number;
  seed: number;
  trialSeed: number;
  training: SearchTraining;
}

export interface FinalStage {
  nets: Net[];
  /** One run per seed (default 20 runs: seeds 1..20). */
  seeds: number[];
  /** The data preparation it trains on: 'final' = all training data but `data.finalValidation`. */
  preparation: 'final' | 'main';
  training: SearchTraining;
}

export interface SigmaStage {
  /** Every σ × net × seed, init normal(0, σ²) instead of He. */
  sigmas: number[];
  nets: Net[];
  seeds: number[];
  /** `init` is replaced by each σ; kept here as configured so the digest is honest. */
  training: Training;
}

export interface ReportStage {
  title: string;
}

export interface Stages {
  gradcheck: GradcheckStage;
  curves: CurvesStage;
  coarse: CoarseStage;
  fine: FineStage;
  final: FinalStage;
  sigma: SigmaStage;
  report: ReportStage;
}

export type Executor = { kind: 'local' } | { kind: 'queue'; url: string };

export interface ResolvedStudy {
  /** The profile this study was resolved under ('default' = the base file without overrides). */
  profile: string;
  /** Every profile the file defines, 'default' first. */
  profiles: string[];
  data: DataSpec;
  /** Kernel id (e.g. 'wasm-simd-f32') or 'auto' (the fastest kernel this machine supports). */
  kernel: string;
  /** Local worker threads; absent = one per core. Never part of a digest. */
  workers?: number;
  /** Where trials run. Never part of a digest. */
  executor: Executor;
  stages: Stages;
}
