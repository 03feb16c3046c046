// The trial executor interface: how a stage's trials get trained. The local executor runs them on a
// pool of worker threads; the queue executor (BullMQ on Redis) on `bnlab worker` processes anywhere.
// Where a trial ran is never part of any hash: a record is the same canonical text either way.
import type { HistoryPoint, TrainResult } from '@bnlab/report';

/** Everything that determines a trial's numbers. Its sha256 (canonical JSON) is the trial's hash. */
export interface TrialIdentity {
  /** The engine's training configuration (hidden, batchNorm, init, lambda, eta, batch, ns, cycles, seed, …). */
  config: Record<string, unknown>;
  /** Which data preparation it trains on ('main' or 'final') and that preparation's fingerprint. */
  preparation: string;
  dataFingerprint: string;
  /** engineIdentity(kernelId): numerics version + kernel id. */
  engine: string;
}

export interface TrialSpec extends TrialIdentity {
  hash: string;
  /** For progress lines only, e.g. "coarse λ=3.1e-3 seed 7". Not hashed. */
  label: string;
  /** How to prepare its data, so any worker can (not hashed: dataFingerprint names the result). */
  data?: TrialData;
}

/** A data preparation: what a worker needs to prepare (or find in its cache) the data a trial trains on. */
export interface TrialData {
  dataset: 'cifar10' | 'fashion-mnist';
  /** The study's data.dir, relative to the workspace (absent: the usual lookup). */
  dir?: string;
  /** Validation images: a count, or a fraction of the training records. */
  validation: number;
  /** NORMALISATION of the bnlab that planned it. */
  normalisation: string;
}

export interface TrialMeta {
  computeSeconds: number;
  host: string;
  /** ISO time the trial finished. */
  finishedAt: string;
  /** Who trained it, e.g. "local#1" or "worker host:pid". */
  worker: string;
}

/** What the trial store keeps: `result` is determined by the identity; `meta` is how it went. */
export interface TrialRecord {
  hash: string;
  identity: TrialIdentity;
  result: TrainResult;
  meta: TrialMeta;
  /** sha256 of the record's canonical JSON without this field (absent only in legacy records). */
  checksum?: string;
}

export interface TrialProgress {
  update: number;
  updates: number;
  epoch: number;
  validationAccuracy?: number;
  /** The history point recorded at this update (recording points only; for live curves). */
  point?: HistoryPoint;
}

export interface TrialEvents {
  started(hash: string, where: string): void;
  progress(hash: string, p: TrialProgress): void;
  /** Called once per finished trial; the caller writes the record to its trial store at once. */
  finished(record: TrialRecord): void;
}

export interface TrialExecutor {
  readonly name: string;
  /**
   * Trains every trial (none of which is in the store). Resolves when all finished; rejects with the
   * first crashed trial's error (naming its label) after letting trials in flight finish or stop.
   * When `signal` aborts, stops starting trials, lets the caller keep what finished, and rejects.
   */
  run(trials: TrialSpec[], events: TrialEvents, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
