// The resolved study: experiments.yaml after schema validation, semantic checks, the profile's
// overrides and every default filled in. loadStudy() builds it once; everything downstream trusts it
// (no optional fields left to default again, no re-validation). Field names follow experiments.yaml.
import type { Init, OptionValue } from '@bnlab/engine';

export type { Init, OptionValue };

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
  /** The 'final' preparation's smaller validation set: count or fraction as above. */
  finalValidation: number;
}

/** One network architecture. `name` is the user's name for it in defaults.nets (e.g. "3-layer"). */
export interface Net {
  name: string;
  /** Hidden layer widths; the input and output sizes come from the data. */
  hidden: number[];
  batchNorm: boolean;
}

/** Training settings: `defaults.training` merged with a stage's `training` overrides. */
export interface Training {
  /** Every engine option (TRAINING_OPTIONS) by name, defaults filled in. */
  options: Record<string, OptionValue>;
  /**
   * Half-cycle length n_s, exactly one of:
   *  - epochs: n_s = epochs × ⌊n_train / batch⌋ updates (relative to the data present),
   *  - updates: an absolute number of updates.
   */
  ns: { epochs: number } | { updates: number };
  init: Init;
}

/** One stage as declared: its user-chosen name, its kind, what it reads and its kind's resolved settings. */
export interface ResolvedStage<S = unknown> {
  name: string;
  kind: string;
  /** Direct upstream stages: 'data' for every stage that reads data, the `from` stages, every stage for a report. */
  dependsOn: string[];
  /** The kind's settings, plain JSON (what the stage's digest covers). */
  settings: S;
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
  /** The declared stages in run order (declaration order, each after what it reads); the built-in data stage is not listed. */
  stages: ResolvedStage[];
}
