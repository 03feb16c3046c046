// The k-layer network: input d, hidden m1…m(k−1), K classes. Hidden layer l:
//   s = W·h + b (no b with batch norm) → [batch norm: ŝ = (s − μ)/√(v + ε), s̃ = γ⊙ŝ + β] → ReLU;
// or, with batch norm after the ReLU (bnPlacement 'after'): s = W·h + b → r = ReLU(s) → γ⊙r̂ + β,
// r̂ = (r − μ)/√(v + ε) the batch norm of r (the bias stays: the ReLU between it and the mean
// subtraction makes it matter). With dropout p, each hidden layer's output is then multiplied in
// training by a mask of 0 (probability p) and 1/(1 − p) (inverted dropout; evaluation uses none).
// Output layer: s = W·h + b → softmax. Cost = mean cross-entropy + λ·Σ‖W‖², loss = the cross-entropy.
//
// Layout (see kernel.ts): a mini-batch is H[n, d] row-major, W[m, d] output-major, so the forward
// product is S = H·Wᵀ (gemmNT), the weight gradient dW = dSᵀ·H (gemmTN) and the input gradient
// dH = dS·W (gemmNN). Every loop over activations or parameters goes through the kernel; buffers come
// from kernel.alloc, once per (network, row count), and are reused for every batch.
//
// A batch-normalised layer has no bias: β takes its place, and the true gradient of a bias before
// batch norm is exactly zero (the mean subtraction removes it), which a relative-error check cannot
// verify. Batch norm in training uses the batch mean and the biased variance (divide by n), ε inside
// the square root; moving averages of both (initialised from the first training batch's statistics)
// are what evaluation uses.
import type { FloatArray, Kernel } from './kernel.js';
import { nextU32, normal, type Rng } from './rng.js';

import { DEFAULT_ALPHA, DEFAULT_EPS } from './options.js';

export { DEFAULT_ALPHA, DEFAULT_EPS };
/** Rows per chunk when evaluating a whole split (fixed: the chunking sets the summation order). */
export const EVAL_ROWS = 1000;

export type Init = { kind: 'he' } | { kind: 'normal'; sigma: number };
export type BnPlacement = 'before' | 'after';

export interface NetConfig {
  /** Input dimensions. */
  d: number;
  /** Classes. */
  K: number;
  hidden: number[];
  batchNorm: boolean;
  eps: number;
  alpha: number;
  /** Batch norm on the scores ('before' the ReLU, the default) or on the ReLU's output ('after'). */
  bnPlacement?: BnPlacement;
  /** Dropout probability of a hidden unit in training (default 0: none). */
  dropout?: number;
}

export interface Layer {
  /** Inputs and outputs: W is [dout, din]. */
  readonly din: number;
  readonly dout: number;
  /** Batch-normalised (hidden layers of a BN net): γ, β and moving averages; a bias only when bnAfter. */
  readonly bn: boolean;
  /** Batch norm acts on the ReLU's output (bnPlacement 'after'). */
  readonly bnAfter: boolean;
  readonly W: FloatArray;
  readonly dW: FloatArray;
  readonly b: FloatArray | null;
  readonly db: FloatArray | null;
  readonly gamma: FloatArray | null;
  readonly beta: FloatArray | null;
  readonly dgamma: FloatArray | null;
  readonly dbeta: FloatArray | null;
  readonly meanAvg: FloatArray | null;
  readonly varAvg: FloatArray | null;
}

export interface Network {
  readonly kernel: Kernel;
  readonly config: NetConfig;
  readonly layers: Layer[];
  /** Whether the moving averages hold statistics yet (the first training forward pass copies them). */
  averagesReady: boolean;
  /** Buffers per row count and purpose, allocated on first use (see workspace()). */
  readonly workspaces: Map<string, Workspace>;
}

/** Per-(network, rows) buffers: inputs, one-hot labels, activations and, for training, gradients. */
export interface Workspace {
  readonly rows: number;
  readonly training: boolean;
  /** Inputs [rows, d] and one-hot labels [rows, K]: callers fill these (see gatherRows). */
  readonly X: FloatArray;
  readonly Y: FloatArray;
  /** Per BN layer: what batch norm normalises [rows, dout]: the scores, or with bnAfter the ReLU's output. */
  readonly S: (FloatArray | null)[];
  /** Per layer: outputs [rows, dout]: ReLU activations for hidden layers, logits for the last. */
  readonly H: FloatArray[];
  /** Per BN layer: ŝ [rows, dout], batch mean and variance [dout]. */
  readonly shat: (FloatArray | null)[];
  readonly mean: (FloatArray | null)[];
  readonly variance: (FloatArray | null)[];
  /** Softmax probabilities [rows, K]. */
  readonly P: FloatArray;
  /** Training only: gradients w.r.t. each layer's output [rows, dout] (empty when not training). */
  readonly G: FloatArray[];
  /** Training with dropout only: per hidden layer, its mask [rows, dout] (see drawDropoutMasks). */
  readonly mask: (FloatArray | null)[];
}

export function layerSizes(config: Pick<NetConfig, 'd' | 'K' | 'hidden'>): number[] {
  return [config.d, ...config.hidden, config.K];
}

export function validateNetConfig(config: NetConfig): void {
  const sizes = layerSizes(config);
  for (const [i, v] of sizes.entries()) {
    const what = i === 0 ? 'input dimension d' : i === sizes.length - 1 ? 'classes K' : `hidden[${i - 1}]`;
    if (!Number.isInteger(v) || v < 1) throw new Error(`network: ${what} = ${v} is not a positive integer`);
  }
  if (config.K < 2) throw new Error(`network: classes K = ${config.K} must be at least 2`);
  if (!(config.eps > 0) || !Number.isFinite(config.eps)) throw new Error(`network: eps = ${config.eps} must be positive and finite`);
  if (!(config.alpha >= 0 && config.alpha < 1)) throw new Error(`network: alpha = ${config.alpha} must be in [0, 1)`);
  const placement = config.bnPlacement ?? 'before';
  if (placement !== 'before' && placement !== 'after') throw new Error(`network: bnPlacement = ${String(placement)} must be 'before' or 'after'`);
  const p = config.dropout ?? 0;
  if (!(p >= 0 && p < 1)) throw new Error(`network: dropout = ${p} must be in [0, 1)`);
}

/** A network with zero weights and biases, γ = 1, β = 0 (call initNetwork for the weights). */
export function createNetwork(kernel: Kernel, config: NetConfig): Network {
  validateNetConfig(config);
  const sizes = layerSizes(config);
  const L = sizes.length - 1;
  const layers: Layer[] = [];
  for (let l = 0; l < L; l++) {
    const din = sizes[l], dout = sizes[l + 1];
    const bn = config.batchNorm && l < L - 1;
    const bnAfter = bn && config.bnPlacement === 'after';
    const vec = () => kernel.alloc(dout);
    const gamma = bn ? vec() : null;
    gamma?.fill(1);
    const biased = !bn || bnAfter;
    layers.push({
      din, dout, bn, bnAfter,
      W: kernel.alloc(dout * din),
      dW: kernel.alloc(dout * din),
      b: biased ? vec() : null,
      db: biased ? vec() : null,
      gamma,
      beta: bn ? vec() : null,
      dgamma: bn ? vec() : null,
      dbeta: bn ? vec() : null,
      meanAvg: bn ? vec() : null,
      varAvg: bn ? vec() : null,
    });
  }
  return { kernel, config: { ...config, hidden: [...config.hidden] }, layers, averagesReady: false, workspaces: new Map() };
}

/**
 * Draws every weight from the rng, layer 1 first, each W in row-major order: He N(0, 2/fan_in) or
 * N(0, σ²). Biases stay 0, γ 1, β 0.
 */
export function initNetwork(net: Network, rng: Rng, init: Init): void {
  if (init.kind === 'normal' && !(init.sigma > 0 && Number.isFinite(init.sigma))) {
    throw new Error(`init: sigma = ${init.sigma} must be positive and finite`);
  }
  for (const layer of net.layers) {
    const std = init.kind === 'he' ? Math.sqrt(2 / layer.din) : init.sigma;
    const W = layer.W;
    for (let i = 0; i < W.length; i++) W[i] = std * normal(rng);
  }
}

/** The buffers for `rows` rows, allocated on first use and kept with the network. */
export function workspace(net: Network, rows: number, training: boolean): Workspace {
  const key = `${rows}:${training ? 'train' : 'eval'}`;
  let ws = net.workspaces.get(key);
  if (ws === undefined) {
    ws = allocWorkspace(net, rows, training);
    net.workspaces.set(key, ws);
  }
  return ws;
}

function allocWorkspace(net: Network, rows: number, training: boolean): Workspace {
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`workspace: rows = ${rows} is not a positive integer`);
  const k = net.kernel;
  const { d, K } = net.config;
  const bnOnly = (l: Layer, len: number) => (l.bn ? k.alloc(len) : null);
  const L = net.layers.length;
  const dropout = training && (net.config.dropout ?? 0) > 0;
  return {
    rows,
    training,
    X: k.alloc(rows * d),
    Y: k.alloc(rows * K),
    S: net.layers.map((l) => bnOnly(l, rows * l.dout)),
    H: net.layers.map((l) => k.alloc(rows * l.dout)),
    shat: net.layers.map((l) => (training ? bnOnly(l, rows * l.dout) : null)),
    mean: net.layers.map((l) => (training ? bnOnly(l, l.dout) : null)),
    variance: net.layers.map((l) => (training ? bnOnly(l, l.dout) : null)),
    P: k.alloc(rows * K),
    G: training ? net.layers.map((l) => k.alloc(rows * l.dout)) : [],
    mask: net.layers.map((l, i) => (dropout && i < L - 1 ? k.alloc(rows * l.dout) : null)),
  };
}

/** Inputs and labels of a data split: x is n×d row-major (any Float32Array, a SharedArrayBuffer view too). */
export interface Split {
  x: Float32Array;
  y: Uint8Array;
  n: number;
}

/**
 * Copies rows of a split into ws.X / ws.Y (one-hot): rows order[start … start+n−1] when `order` is
 * given (a shuffled mini-batch), else the contiguous rows start … start+n−1.
 */
export function gatherRows(ws: Workspace, net: Network, split: Split, start: number, n: number, order?: Uint32Array): void {
  const { d, K } = net.config;
  const { X, Y } = ws;
  net.kernel.gatherRows(X, split.x, order ?? null, start, n, d);
  Y.fill(0, 0, n * K);
  for (let i = 0; i < n; i++) Y[i * K + split.y[order === undefined ? start + i : order[start + i]]] = 1;
}

export type Mode = 'train' | 'eval';

/**
 * Forward pass over the first n rows of ws.X: fills ws.H, ws.P and returns the summed cross-entropy
 * against ws.Y. 'train' uses batch statistics (and, when updateAverages, folds them into the moving
 * averages; the first time it copies them); 'eval' uses the moving averages. In a training workspace,
 * also writes the output gradient (p − y)/n into the last G for networkBackward, and with dropout
 * multiplies each hidden output by its mask in ws.mask as last drawn (drawDropoutMasks).
 */
export function networkForward(ws: Workspace, net: Network, n: number, mode: Mode, updateAverages: boolean): number {
  const k = net.kernel;
  const { eps, alpha } = net.config;
  const L = net.layers.length;
  if (n > ws.rows) throw new Error(`forward: ${n} rows do not fit a workspace of ${ws.rows}`);
  if (mode === 'train' && !ws.training) throw new Error('forward: training mode needs a training workspace');
  if (mode === 'eval' && net.config.batchNorm && !net.averagesReady) {
    throw new Error('forward: evaluation mode needs moving averages, but no training batch has been seen');
  }
  for (let l = 0; l < L; l++) {
    const layer = net.layers[l];
    const input = l === 0 ? ws.X : ws.H[l - 1];
    const m = layer.dout;
    const out = ws.H[l];
    if (layer.bn) {
      const s = ws.S[l]!;
      k.gemmNT(s, input, layer.W, n, m, layer.din);
      if (layer.bnAfter) {
        k.addRow(s, layer.b!, n, m);
        k.reluForward(s, n * m);
      }
      if (mode === 'train') {
        const mean = ws.mean[l]!, variance = ws.variance[l]!;
        k.batchNormForward(out, ws.shat[l]!, mean, variance, s, layer.gamma!, layer.beta!, n, m, eps);
        if (updateAverages) {
          if (net.averagesReady) {
            k.ema(layer.meanAvg!, mean, m, alpha);
            k.ema(layer.varAvg!, variance, m, alpha);
          } else {
            layer.meanAvg!.set(mean.subarray(0, m));
            layer.varAvg!.set(variance.subarray(0, m));
          }
        }
      } else {
        k.batchNormInference(out, s, layer.meanAvg!, layer.varAvg!, layer.gamma!, layer.beta!, n, m, eps);
      }
    } else {
      k.gemmNT(out, input, layer.W, n, m, layer.din);
      k.addRow(out, layer.b!, n, m);
    }
    if (l < L - 1) {
      if (!layer.bnAfter) k.reluForward(out, n * m);
      const mask = mode === 'train' ? ws.mask[l] : null;
      if (mask) k.applyMask(out, mask, n * m);
    }
  }
  if (mode === 'train' && updateAverages && net.config.batchNorm) net.averagesReady = true;
  const grad = mode === 'train' ? ws.G[L - 1] : null;
  return k.softmaxCrossEntropy(ws.P, grad, ws.H[L - 1], ws.Y, n, net.config.K);
}

/**
 * Backward pass after a training-mode networkForward on the same n rows: fills every layer's dW, db,
 * dγ, dβ with the gradient of the mean cross-entropy (the L2 term's 2λW is added by sgdStep, or by
 * the caller). Uses ws.G as scratch.
 */
export function networkBackward(ws: Workspace, net: Network, n: number): void {
  const k = net.kernel;
  const eps = net.config.eps;
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const layer = net.layers[l];
    const m = layer.dout;
    const g = ws.G[l]; // dCost/d(layer output): for hidden layers w.r.t. the ReLU output
    const input = l === 0 ? ws.X : ws.H[l - 1];
    if (l < net.layers.length - 1) {
      const mask = ws.mask[l];
      if (mask) k.applyMask(g, mask, n * m); // where the mask is 0, so is g, and the ReLU tests below agree
      if (layer.bnAfter) {
        k.batchNormBackward(g, layer.dgamma!, layer.dbeta!, g, ws.shat[l]!, ws.variance[l]!, layer.gamma!, n, m, eps);
        k.reluBackward(g, ws.S[l]!, n * m);
      } else {
        k.reluBackward(g, ws.H[l], n * m);
        if (layer.bn) {
          k.batchNormBackward(g, layer.dgamma!, layer.dbeta!, g, ws.shat[l]!, ws.variance[l]!, layer.gamma!, n, m, eps);
        }
      }
    }
    k.gemmTN(layer.dW, g, input, m, layer.din, n);
    if (layer.b) k.colSum(layer.db!, g, n, m);
    if (l > 0) k.gemmNN(ws.G[l - 1], g, layer.W, n, layer.din, m);
  }
}

/**
 * Draws the dropout masks of the first n rows of a training workspace from the rng: layer by layer,
 * row-major, one 32-bit draw u per unit, dropped (0) when u < p·2³², else kept and scaled by 1/(1 − p).
 * A no-op without dropout (no draw). The forward and backward passes use the masks as drawn, so a
 * gradient check holds them fixed by drawing once.
 */
export function drawDropoutMasks(ws: Workspace, net: Network, n: number, rng: Rng): void {
  const p = net.config.dropout ?? 0;
  if (p === 0) return;
  if (n > ws.rows) throw new Error(`dropout: ${n} rows do not fit a workspace of ${ws.rows}`);
  const threshold = p * 4294967296;
  const scale = 1 / (1 - p);
  for (let l = 0; l < net.layers.length - 1; l++) {
    const mask = ws.mask[l];
    if (mask === null) throw new Error('dropout: the workspace has no masks (an evaluation workspace?)');
    const len = n * net.layers[l].dout;
    for (let i = 0; i < len; i++) mask[i] = nextU32(rng) < threshold ? 0 : scale;
  }
}

/** One SGD step on every parameter: W with L2 (λ), biases, γ and β without. */
export function sgdUpdate(net: Network, eta: number, lambda: number): void {
  const k = net.kernel;
  for (const layer of net.layers) {
    k.sgdStep(layer.W, layer.dW, layer.W.length, eta, lambda);
    if (layer.b) k.sgdStep(layer.b, layer.db!, layer.dout, eta, 0);
    if (layer.gamma) {
      k.sgdStep(layer.gamma, layer.dgamma!, layer.dout, eta, 0);
      k.sgdStep(layer.beta!, layer.dbeta!, layer.dout, eta, 0);
    }
  }
}

/** Σ over layers of ‖W‖² (the L2 term is λ times this). */
export function weightSquares(net: Network): number {
  let s = 0;
  for (const layer of net.layers) s += net.kernel.sumSquares(layer.W, layer.W.length);
  return s;
}

export interface Figures {
  cost: number;
  loss: number;
  accuracy: number;
}

/**
 * Cost, loss and accuracy of the network on a whole split in evaluation mode, in chunks of EVAL_ROWS
 * rows through the network's evaluation workspace.
 */
export function evaluate(net: Network, split: Split, lambda: number): Figures {
  if (split.n < 1) throw new Error('evaluate: the split has no rows');
  const ws = workspace(net, Math.min(EVAL_ROWS, split.n), false);
  let ce = 0, correct = 0;
  for (let start = 0; start < split.n; start += ws.rows) {
    const n = Math.min(ws.rows, split.n - start);
    gatherRows(ws, net, split, start, n);
    ce += networkForward(ws, net, n, 'eval', false);
    correct += net.kernel.countCorrect(ws.P, ws.Y, n, net.config.K);
  }
  const loss = ce / split.n;
  return { cost: loss + lambda * weightSquares(net), loss, accuracy: correct / split.n };
}

/** Every parameter tensor of the network (W, b, γ, β, moving averages), in a fixed order, with names. */
export function parameterTensors(net: Network): { name: string; layer: number; data: FloatArray }[] {
  const out: { name: string; layer: number; data: FloatArray }[] = [];
  net.layers.forEach((layer, i) => {
    const add = (name: string, data: FloatArray | null) => {
      if (data) out.push({ name, layer: i + 1, data });
    };
    add('W', layer.W);
    add('b', layer.b);
    add('gamma', layer.gamma);
    add('beta', layer.beta);
    add('meanAvg', layer.meanAvg);
    add('varAvg', layer.varAvg);
  });
  return out;
}
