// Mini-batch SGD with a cyclical learning rate. One seeded RNG draws the initial weights, then the
// shuffle of every epoch and, per batch, the jitter of its images and the dropout masks (each only when
// its option is on, so a run without them draws exactly what it drew before they existed), so
// configuration + seed + kernel id determine every number of the result.
//
// Order of one update t (0 ≤ t < total = 2·ns·cycles): at the start of each epoch the training rows
// are reshuffled (Fisher–Yates over all n rows; each epoch uses the first ⌊n/batch⌋·batch of them);
// the batch is gathered, its images jittered and the dropout masks drawn (see loadTrainingBatch);
// the batch's forward pass (training mode, folding its statistics into the moving averages); when t is
// a recording point, the network is evaluated on the training and validation splits (evaluation mode);
// then the backward pass and the SGD step with η = cyclicalEta(t). A last point is recorded after the
// last update. Evaluating after the forward pass means the moving averages exist at t = 0 (they are
// the first batch's statistics).
//
// Divergence: a non-finite batch cost, or a non-finite cost at a recording point, stops training.
// The network is restored to the last recorded point whose figures were finite, and the final
// figures are that point's (test evaluated there); the result says diverged: true.
import { createJitterer, jitterBatch, type ImageShape, type Jitterer } from './augment.js';
import type { Kernel } from './kernel.js';
import {
  DEFAULT_ALPHA, DEFAULT_EPS, createNetwork, drawDropoutMasks, evaluate, gatherRows, initNetwork, networkBackward,
  networkForward, parameterTensors, sgdUpdate, workspace, type BnPlacement, type Figures, type Init, type Network,
  type Split, type Workspace,
} from './network.js';
import { optionInIdentity, optionValueError, TRAINING_OPTIONS } from './options.js';
import { createRng, shuffle, type Rng } from './rng.js';
import { cyclicalEta } from './schedule.js';

export interface Dataset {
  d: number;
  K: number;
  train: Split;
  validation: Split;
  test: Split;
  /** The images' layout, when the rows are images (jitter needs it). */
  image?: ImageShape;
  /** Per-dimension mean and std the inputs were standardised with (pixel = x·std + mean; jitter uses them). */
  mean?: Float32Array;
  std?: Float32Array;
}

export interface TrainConfig {
  hidden: number[];
  batchNorm: boolean;
  init: Init;
  lambda: number;
  etaMin: number;
  etaMax: number;
  batch: number;
  /** Half-cycle of the learning rate, in updates (see nsFromEpochs). */
  ns: number;
  cycles: number;
  seed: number;
  /** Recorded points per cycle, plus one at the start (default 10). */
  pointsPerCycle?: number;
  /** Moving-average factor of batch norm (default 0.9). */
  alpha?: number;
  /** ε inside batch norm's square root (default DEFAULT_EPS, Matlab's eps). */
  eps?: number;
  /** Batch norm before the ReLU (default) or after it. */
  bnPlacement?: BnPlacement;
  /** Dropout probability of hidden units in training (default 0). */
  dropout?: number;
  /** Jitter of the training images (default off; needs the data set's image shape). */
  jitterFlip?: boolean;
  jitterShift?: number;
  jitterBrightness?: number;
  jitterContrast?: number;
}

/** The options that may be absent from a normalised configuration (at their neutral value, or not acting). */
type OmittableOption = 'alpha' | 'eps' | 'bnPlacement' | 'dropout' | 'jitterFlip' | 'jitterShift' | 'jitterBrightness' | 'jitterContrast';

/**
 * A TrainConfig with every default filled in, and without the options that cannot change its numbers
 * (see options.ts): what a trial's identity hashes.
 */
export type NormalizedTrainConfig = Required<Omit<TrainConfig, OmittableOption>> & Pick<TrainConfig, OmittableOption>;

// The result shapes: the same as TrainResult / HistoryPoint in packages/report/src/results.ts (the
// engine does not import the report; the pipeline checks that they match).
export interface Split3 {
  train: number;
  validation: number;
  test: number;
}
export interface Pair {
  train: number;
  validation: number;
}
export interface HistoryPoint {
  update: number;
  /** Epochs done at this update: update / ⌊n/batch⌋ (fractional). */
  epoch: number;
  /** The learning rate of this update (the next step's). */
  eta: number;
  cost: Pair;
  loss: Pair;
  accuracy: Pair;
}
export interface TrainResult {
  accuracy: Split3;
  cost: Split3;
  loss: Split3;
  history: HistoryPoint[];
  diverged: boolean;
}

export interface TrainProgress {
  update: number;
  updates: number;
  epoch: number;
  eta: number;
  /** Present at recording points. */
  validationAccuracy?: number;
  /** The history point just recorded (at recording points), for live curves. */
  point?: HistoryPoint;
}

export interface TrainOptions {
  /** Called at every recording point and every `progressEvery` updates. */
  onProgress?: (p: TrainProgress) => void;
  /** Updates between progress calls (default 50). */
  progressEvery?: number;
}

export function normalizeTrainConfig(config: TrainConfig): NormalizedTrainConfig {
  const c: NormalizedTrainConfig = {
    hidden: [...config.hidden],
    batchNorm: config.batchNorm,
    init: config.init.kind === 'he' ? { kind: 'he' } : { kind: 'normal', sigma: config.init.sigma },
    lambda: config.lambda,
    etaMin: config.etaMin,
    etaMax: config.etaMax,
    batch: config.batch,
    ns: config.ns,
    cycles: config.cycles,
    seed: config.seed,
    pointsPerCycle: config.pointsPerCycle ?? 10,
    alpha: config.alpha ?? DEFAULT_ALPHA,
    eps: config.eps ?? DEFAULT_EPS,
  };
  const rec = c as Record<string, unknown>;
  for (const o of TRAINING_OPTIONS) if (!(o.name in rec)) rec[o.name] = (config as unknown as Record<string, unknown>)[o.name] ?? o.default;
  for (const o of TRAINING_OPTIONS) if (!optionInIdentity(o, c)) delete rec[o.name];
  return c;
}

function validateTrainConfig(c: NormalizedTrainConfig, data: Dataset): void {
  const posInt = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 1) throw new Error(`train: ${name} = ${v} is not a positive integer`);
  };
  const nonNeg = (v: number, name: string) => {
    if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`train: ${name} = ${v} must be finite and ≥ 0`);
  };
  posInt(c.batch, 'batch');
  posInt(c.ns, 'ns');
  posInt(c.cycles, 'cycles');
  posInt(c.pointsPerCycle, 'pointsPerCycle');
  nonNeg(c.lambda, 'lambda');
  nonNeg(c.etaMin, 'etaMin');
  nonNeg(c.etaMax, 'etaMax');
  if (!Number.isSafeInteger(c.seed)) throw new Error(`train: seed = ${c.seed} is not a safe integer`);
  // The options added later (those with a neutral value) are checked against their range here; the
  // first ones keep the wider checks above (a spec trains at η = 1e6 to diverge on purpose): their
  // ranges in options.ts are what the command line and experiments.yaml accept.
  for (const o of TRAINING_OPTIONS) {
    if (o.neutral === undefined) continue;
    const v = (c as Record<string, unknown>)[o.name];
    const why = v === undefined ? null : optionValueError(o, v);
    if (why !== null) throw new Error(`train: ${o.name} = ${String(v)} ${why}`);
  }
  if (c.batch > data.train.n) throw new Error(`train: batch ${c.batch} is larger than the ${data.train.n} training rows`);
  for (const name of ['train', 'validation', 'test'] as const) checkSplit(data[name], data.d, data.K, name);
}

/** Throws when a split's arrays do not hold n rows of d inputs with labels in [0, K). */
export function checkSplit(split: Split, d: number, K: number, name: string): void {
  if (!Number.isInteger(split.n) || split.n < 1) throw new Error(`${name} split: n = ${split.n} is not a positive integer`);
  if (split.x.length < split.n * d) throw new Error(`${name} split: x has ${split.x.length} values, fewer than n·d = ${split.n}·${d}`);
  if (split.y.length < split.n) throw new Error(`${name} split: y has ${split.y.length} labels, fewer than n = ${split.n}`);
  for (let i = 0; i < split.n; i++) {
    if (split.y[i] >= K) throw new Error(`${name} split: label ${split.y[i]} of row ${i} is not below K = ${K}`);
  }
}

/** The updates at which figures are recorded: ⌊j·2ns/pointsPerCycle⌋ for j = 0 … pointsPerCycle·cycles. */
export function recordingPoints(ns: number, cycles: number, pointsPerCycle: number): number[] {
  const points: number[] = [];
  for (let j = 0; j <= pointsPerCycle * cycles; j++) {
    const t = Math.floor((j * 2 * ns) / pointsPerCycle);
    if (points.length === 0 || t > points[points.length - 1]) points.push(t);
  }
  return points;
}

/**
 * A training mini-batch into ws: rows order[start … start+n−1] of the split gathered, their images
 * jittered (when `jitter` is not null) and the dropout masks drawn (when the net has dropout), in that
 * order, both from `rng`.
 */
export function loadTrainingBatch(
  ws: Workspace, net: Network, split: Split, start: number, n: number, order: Uint32Array, rng: Rng, jitter: Jitterer | null,
): void {
  gatherRows(ws, net, split, start, n, order);
  if (jitter !== null) jitterBatch(jitter, ws.X, n, rng);
  drawDropoutMasks(ws, net, n, rng);
}

/** Trains a network from scratch; returns the result and the trained network (for saving). */
export function train(kernel: Kernel, data: Dataset, config: TrainConfig, options: TrainOptions = {}): { result: TrainResult; network: Network } {
  const c = normalizeTrainConfig(config);
  validateTrainConfig(c, data);
  const rng = createRng(c.seed);
  const net = createNetwork(kernel, {
    d: data.d, K: data.K, hidden: c.hidden, batchNorm: c.batchNorm, eps: c.eps ?? DEFAULT_EPS, alpha: c.alpha ?? DEFAULT_ALPHA,
    bnPlacement: c.bnPlacement, dropout: c.dropout,
  });
  initNetwork(net, rng, c.init);
  const jitter = createJitterer(kernel, c, data.d, c.batch, data.image, data.mean, data.std);

  const n = data.train.n;
  const perEpoch = Math.floor(n / c.batch);
  const total = 2 * c.ns * c.cycles;
  const points = recordingPoints(c.ns, c.cycles, c.pointsPerCycle);
  const ws = workspace(net, c.batch, true);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const progressEvery = options.progressEvery ?? 50;
  const onProgress = options.onProgress;

  // The state at the last finite recording point, to return to on divergence.
  const tensors = parameterTensors(net);
  const saved = tensors.map((t) => kernel.alloc(t.data.length));
  let last: { train: Figures; validation: Figures } | null = null;

  const history: HistoryPoint[] = [];
  let diverged = false;
  let next = 0; // index of the next recording point
  for (let t = 0; ; t++) {
    const eta = cyclicalEta(t, c.etaMin, c.etaMax, c.ns);
    if (t < total) {
      const b = t % perEpoch;
      if (b === 0) shuffle(rng, order);
      loadTrainingBatch(ws, net, data.train, b * c.batch, c.batch, order, rng, jitter);
      if (!Number.isFinite(networkForward(ws, net, c.batch, 'train', true))) {
        diverged = true;
        break;
      }
    }
    if (t === points[next]) {
      next++;
      const tr = evaluate(net, data.train, c.lambda);
      const va = evaluate(net, data.validation, c.lambda);
      if (!Number.isFinite(tr.cost) || !Number.isFinite(va.cost)) {
        diverged = true;
        break;
      }
      last = { train: tr, validation: va };
      tensors.forEach((x, i) => saved[i].set(x.data));
      history.push({
        update: t,
        epoch: t / perEpoch,
        eta,
        cost: { train: tr.cost, validation: va.cost },
        loss: { train: tr.loss, validation: va.loss },
        accuracy: { train: tr.accuracy, validation: va.accuracy },
      });
      onProgress?.({ update: t, updates: total, epoch: t / perEpoch, eta, validationAccuracy: va.accuracy, point: history[history.length - 1] });
    } else if (onProgress && t % progressEvery === 0) {
      onProgress({ update: t, updates: total, epoch: t / perEpoch, eta });
    }
    if (t === total) break;
    networkBackward(ws, net, c.batch);
    sgdUpdate(net, eta, c.lambda);
  }

  if (diverged && last !== null) tensors.forEach((x, i) => x.data.set(saved[i]));
  const tr = last ?? { train: evaluate(net, data.train, c.lambda), validation: evaluate(net, data.validation, c.lambda) };
  const te = evaluate(net, data.test, c.lambda);
  const figures = (key: keyof Figures): Split3 => ({ train: tr.train[key], validation: tr.validation[key], test: te[key] });
  return {
    result: { accuracy: figures('accuracy'), cost: figures('cost'), loss: figures('loss'), history, diverged },
    network: net,
  };
}
