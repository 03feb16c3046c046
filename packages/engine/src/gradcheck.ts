// The gradient check: the analytic gradient of the cost (networkBackward + 2λW) against centred
// differences (J(θ + h) − J(θ − h)) / 2h of every parameter of every layer, in float64, with the
// relative error ‖ga − gn‖ / max(1e-12, ‖ga‖ + ‖gn‖) per parameter tensor.
//
// The numerical cost must be the function the analytic gradient differentiates: the training-mode
// cost, batch norm using the batch's own mean and variance, which move when a weight moves. Mode
// 'test' evaluates it instead with frozen moving averages (evaluation mode) — a different function of
// the weights below each batch-normalised layer — and reproduces the reference study's large errors
// (0.05–0.46): that is the wrong way, kept to show it fails.
//
// With dropout, the masks are drawn once (after the weights) and held fixed: the cost is then a
// smooth function of the weights almost everywhere, the one the backward pass differentiates.
import type { Kernel } from './kernel.js';
import { createTsKernel } from './kernels/ts.js';
import {
  DEFAULT_ALPHA, DEFAULT_EPS, createNetwork, drawDropoutMasks, initNetwork, networkBackward, networkForward, weightSquares,
  workspace, type BnPlacement, type Init, type Workspace,
} from './network.js';
import { createRng, normal } from './rng.js';

export interface GradcheckInput {
  /** Inputs n×d, row-major (the caller slices the data: first d dims of the first n samples). */
  x: ArrayLike<number>;
  /** Labels, n of them, each in [0, K). */
  y: ArrayLike<number>;
  n: number;
  d: number;
  K: number;
  hidden: number[];
  batchNorm: boolean;
  lambda: number;
  /** Step of the centred differences (default 1e-5). */
  h?: number;
  /** Largest relative error that passes (default 1e-6). */
  threshold?: number;
  /** Seed of the weights and of the spread of γ, β, b (default 1). */
  seed?: number;
  init?: Init;
  eps?: number;
  /** Batch norm before the ReLU (default) or after it. */
  bnPlacement?: BnPlacement;
  /** Dropout probability; its masks are drawn once and held fixed (default 0). */
  dropout?: number;
  /** 'train' (right, default): batch statistics. 'test': moving averages (the reference's mistake). */
  mode?: 'train' | 'test';
  /** A float64 kernel to check (default ts-f64). */
  kernel?: Kernel;
}

export interface GradcheckEntry {
  parameter: 'W' | 'b' | 'gamma' | 'beta';
  /** Numbered from 1. */
  layer: number;
  relativeError: number;
}

export interface GradcheckResult {
  passed: boolean;
  threshold: number;
  h: number;
  checks: GradcheckEntry[];
}

export const DEFAULT_GRADCHECK_H = 1e-5;
export const DEFAULT_GRADCHECK_THRESHOLD = 1e-6;

export function relativeError(ga: ArrayLike<number>, gn: ArrayLike<number>): number {
  let d = 0, a = 0, b = 0;
  for (let i = 0; i < ga.length; i++) {
    d += (ga[i] - gn[i]) ** 2;
    a += ga[i] ** 2;
    b += gn[i] ** 2;
  }
  return Math.sqrt(d) / Math.max(1e-12, Math.sqrt(a) + Math.sqrt(b));
}

export function gradcheck(input: GradcheckInput): GradcheckResult {
  const { n, d, K, lambda } = input;
  const h = input.h ?? DEFAULT_GRADCHECK_H;
  const threshold = input.threshold ?? DEFAULT_GRADCHECK_THRESHOLD;
  const mode = input.mode ?? 'train';
  if (!(h > 0)) throw new Error(`gradcheck: h = ${h} must be positive`);
  if (input.x.length < n * d) throw new Error(`gradcheck: x has ${input.x.length} values, fewer than n·d = ${n}·${d}`);
  if (input.y.length < n) throw new Error(`gradcheck: y has ${input.y.length} labels, fewer than n = ${n}`);
  const kernel = input.kernel ?? createTsKernel('f64');
  if (kernel.dtype !== 'f64') throw new Error(`gradcheck: kernel ${kernel.id} is not float64`);
  const net = createNetwork(kernel, {
    d, K, hidden: input.hidden, batchNorm: input.batchNorm, eps: input.eps ?? DEFAULT_EPS, alpha: DEFAULT_ALPHA,
    bnPlacement: input.bnPlacement ?? 'before', dropout: input.dropout ?? 0,
  });
  const rng = createRng(input.seed ?? 1);
  initNetwork(net, rng, input.init ?? { kind: 'he' });
  // Spread γ, β and b away from 1 and 0, so that a gradient missing a factor γ or a bias term cannot
  // hide behind the initial values.
  for (const layer of net.layers) {
    for (const v of [layer.b, layer.beta]) if (v) for (let i = 0; i < v.length; i++) v[i] = 0.1 * normal(rng);
    if (layer.gamma) for (let i = 0; i < layer.gamma.length; i++) layer.gamma[i] = 1 + 0.2 * normal(rng);
  }

  const train = workspace(net, n, true);
  const evalWs = workspace(net, n, false);
  for (const ws of [train, evalWs]) fill(ws, input);
  drawDropoutMasks(train, net, n, rng);

  // Analytic gradient; in 'test' mode this forward pass also sets the moving averages (to this batch's statistics).
  networkForward(train, net, n, 'train', mode === 'test');
  networkBackward(train, net, n);

  const cost = (): number => {
    const ce = mode === 'train' ? networkForward(train, net, n, 'train', false) : networkForward(evalWs, net, n, 'eval', false);
    return ce / n + lambda * weightSquares(net);
  };

  const checks: GradcheckEntry[] = [];
  net.layers.forEach((layer, i) => {
    const tensors: [GradcheckEntry['parameter'], Float64Array, Float64Array][] = [];
    const W = layer.W as Float64Array;
    const gW = Float64Array.from(layer.dW, (g, j) => g + 2 * lambda * W[j]);
    tensors.push(['W', W, gW]);
    if (layer.b) tensors.push(['b', layer.b as Float64Array, Float64Array.from(layer.db!)]);
    if (layer.gamma) tensors.push(['gamma', layer.gamma as Float64Array, Float64Array.from(layer.dgamma!)]);
    if (layer.beta) tensors.push(['beta', layer.beta as Float64Array, Float64Array.from(layer.dbeta!)]);
    for (const [parameter, theta, ga] of tensors) {
      const gn = new Float64Array(theta.length);
      for (let j = 0; j < theta.length; j++) {
        const v = theta[j];
        theta[j] = v + h;
        const up = cost();
        theta[j] = v - h;
        const down = cost();
        theta[j] = v;
        gn[j] = (up - down) / (2 * h);
      }
      checks.push({ parameter, layer: i + 1, relativeError: relativeError(ga, gn) });
    }
  });
  return { passed: checks.every((c) => c.relativeError <= threshold), threshold, h, checks };
}

function fill(ws: Workspace, input: GradcheckInput): void {
  const { n, d, K } = input;
  for (let i = 0; i < n * d; i++) ws.X[i] = input.x[i];
  ws.Y.fill(0);
  for (let i = 0; i < n; i++) {
    const label = input.y[i];
    if (!Number.isInteger(label) || label < 0 || label >= K) throw new Error(`gradcheck: label ${label} of sample ${i} is not in [0, ${K})`);
    ws.Y[i * K + label] = 1;
  }
}
