import { describe, expect, it } from 'vitest';
import { createTsKernel } from './kernels/ts.js';
import {
  EVAL_ROWS, createNetwork, evaluate, gatherRows, initNetwork, networkForward, workspace, type NetConfig, type Split,
} from './network.js';
import { createRng, normal } from './rng.js';

const f64 = createTsKernel('f64');
const cfg = (over: Partial<NetConfig> = {}): NetConfig => ({ d: 3, K: 2, hidden: [2], batchNorm: true, eps: 1e-5, alpha: 0.9, ...over });

describe('network structure and initialisation', () => {
  it('has W[m,d] per layer, no bias on batch-normalised layers, a bias on the output layer', () => {
    const net = createNetwork(f64, cfg({ d: 5, K: 3, hidden: [4, 6] }));
    expect(net.layers.map((l) => [l.dout, l.din, l.W.length])).toEqual([[4, 5, 20], [6, 4, 24], [3, 6, 18]]);
    expect(net.layers.map((l) => [l.bn, l.b === null, l.gamma === null])).toEqual([[true, true, false], [true, true, false], [false, false, true]]);
    expect(Array.from(net.layers[0].gamma!)).toEqual([1, 1, 1, 1]);
    const plain = createNetwork(f64, cfg({ d: 5, K: 3, hidden: [4], batchNorm: false }));
    expect(plain.layers.every((l) => l.b !== null && l.gamma === null)).toBe(true);
    expect(() => createNetwork(f64, cfg({ hidden: [4, 0] }))).toThrow(/hidden\[1\] = 0/);
  });

  it('draws He weights N(0, 2/fan_in) and N(0, σ²) weights with the right spread', () => {
    const net = createNetwork(f64, cfg({ d: 400, K: 10, hidden: [100], batchNorm: false }));
    const std = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0) / a.length);
    initNetwork(net, createRng(1), { kind: 'he' });
    // 40000 and 1000 samples: relative standard error of the std ≈ 0.35 % and 2.2 %
    expect(std(net.layers[0].W) / Math.sqrt(2 / 400)).toBeCloseTo(1, 1);
    expect(Math.abs(std(net.layers[1].W) / Math.sqrt(2 / 100) - 1)).toBeLessThan(0.08);
    initNetwork(net, createRng(1), { kind: 'normal', sigma: 1e-3 });
    expect(Math.abs(std(net.layers[0].W) / 1e-3 - 1)).toBeLessThan(0.02);
    expect(Math.abs(std(net.layers[1].W) / 1e-3 - 1)).toBeLessThan(0.08);
    expect(() => initNetwork(net, createRng(1), { kind: 'normal', sigma: 0 })).toThrow(/sigma = 0/);
  });
});

describe('batch norm statistics and moving averages (hand-worked)', () => {
  // W1 = [[1, 0, 0], [0, 1, 1]]: s = [x0, x1 + x2] per row.
  const net = createNetwork(f64, cfg());
  net.layers[0].W.set([1, 0, 0, 0, 1, 1]);
  net.layers[1].W.set([1, 0, 0, 1]);
  const ws = workspace(net, 4, true);
  const batch = (rows: number[][], labels: number[]) => {
    ws.X.set(rows.flat());
    ws.Y.fill(0);
    labels.forEach((c, i) => (ws.Y[i * 2 + c] = 1));
  };

  it('uses the batch mean and biased variance, and starts the averages from the first batch', () => {
    // s col 0: 1, 2, 3, 6 → μ 3, v (4 + 1 + 0 + 9)/4 = 3.5;  col 1: 0, 2, 4, 2 → μ 2, v (4 + 0 + 4 + 0)/4 = 2
    batch([[1, 0, 0], [2, 1, 1], [3, 2, 2], [6, 1, 1]], [0, 1, 0, 1]);
    expect(net.averagesReady).toBe(false);
    networkForward(ws, net, 4, 'train', true);
    expect(Array.from(ws.mean[0]!)).toEqual([3, 2]);
    expect(Array.from(ws.variance[0]!)).toEqual([3.5, 2]);
    expect(Array.from(net.layers[0].meanAvg!)).toEqual([3, 2]);
    expect(Array.from(net.layers[0].varAvg!)).toEqual([3.5, 2]);
    expect(net.averagesReady).toBe(true);
    // ReLU(ŝ) of row 0: ((1 − 3)/√3.50001, (0 − 2)/√2.00001) → both negative → 0
    expect(Array.from(ws.H[0].subarray(0, 2))).toEqual([0, 0]);
    expect(ws.H[0][6]).toBeCloseTo(3 / Math.sqrt(3.5 + 1e-5), 14);
  });

  it('then folds each batch in with α = 0.9, and evaluation uses the averages', () => {
    // s col 0: 0, 0, 4, 4 → μ 2, v 4;  col 1: 2, 2, 2, 2 → μ 2, v 0
    batch([[0, 1, 1], [0, 2, 0], [4, 0, 2], [4, 1, 1]], [1, 1, 0, 0]);
    networkForward(ws, net, 4, 'train', true);
    expect(Array.from(net.layers[0].meanAvg!)).toEqual([0.9 * 3 + 0.1 * 2, 0.9 * 2 + 0.1 * 2]);
    expect(Array.from(net.layers[0].varAvg!)).toEqual([0.9 * 3.5 + 0.1 * 4, 0.9 * 2 + 0.1 * 0]);
    // a training pass without updateAverages leaves them alone
    networkForward(ws, net, 4, 'train', false);
    expect(net.layers[0].meanAvg![0]).toBe(0.9 * 3 + 0.1 * 2);
    // evaluation: h = ReLU((s − μ̄)/√(v̄ + ε)) with γ = 1, β = 0; row [5, 3, 1] → s = [5, 4]
    const ev = workspace(net, 1, false);
    ev.X.set([5, 3, 1]);
    ev.Y.set([1, 0]);
    networkForward(ev, net, 1, 'eval', false);
    const mu = [2.9, 2], v = [3.55, 1.8];
    expect(ev.H[0][0]).toBeCloseTo((5 - mu[0]) / Math.sqrt(v[0] + 1e-5), 14);
    expect(ev.H[0][1]).toBeCloseTo((4 - mu[1]) / Math.sqrt(v[1] + 1e-5), 14);
  });

  it('refuses evaluation mode before any training batch set the averages', () => {
    const fresh = createNetwork(f64, cfg());
    expect(() => networkForward(workspace(fresh, 2, false), fresh, 2, 'eval', false)).toThrow(/moving averages/);
  });
});

describe('evaluation over a whole split', () => {
  it('matches a row-by-row naive computation across chunk boundaries (2500 rows, chunks of 1000)', () => {
    const [d, K, n] = [6, 4, 2500];
    const rng = createRng(4);
    const net = createNetwork(f64, { d, K, hidden: [5], batchNorm: false, eps: 1e-5, alpha: 0.9 });
    initNetwork(net, rng, { kind: 'he' });
    for (const l of net.layers) for (let i = 0; i < l.b!.length; i++) l.b![i] = 0.1 * normal(rng);
    const x = Float32Array.from({ length: n * d }, () => normal(rng));
    const y = Uint8Array.from({ length: n }, (_, i) => (i * 7) % K);
    const lambda = 0.01;
    const r = evaluate(net, { x, y, n }, lambda);
    // naive: h = max(0, W1 x + b1); s = W2 h + b2; loss = −log softmax(s)[y]
    const [L1, L2] = net.layers;
    let ce = 0, correct = 0;
    for (let i = 0; i < n; i++) {
      const h = Array.from({ length: 5 }, (_, m) => Math.max(0, L1.b![m] + Array.from({ length: d }, (_, j) => L1.W[m * d + j] * x[i * d + j]).reduce((a, b) => a + b)));
      const s = Array.from({ length: K }, (_, c) => L2.b![c] + h.reduce((a, hv, m) => a + L2.W[c * 5 + m] * hv, 0));
      const lse = Math.log(s.reduce((a, v) => a + Math.exp(v), 0));
      ce += lse - s[y[i]];
      if (s.indexOf(Math.max(...s)) === y[i]) correct++;
    }
    const l2 = [...L1.W, ...L2.W].reduce((a, w) => a + w * w, 0);
    expect(EVAL_ROWS).toBe(1000);
    expect(r.loss).toBeCloseTo(ce / n, 12);
    expect(r.cost).toBeCloseTo(ce / n + lambda * l2, 12);
    expect(r.accuracy).toBe(correct / n);
  });

  it('gathers shuffled rows from a SharedArrayBuffer view into an f64 kernel, with one-hot labels', () => {
    const sab = new SharedArrayBuffer(4 * 4 * 3);
    const x = new Float32Array(sab);
    x.set([0, 1, 2, 10, 11, 12, 20, 21, 22.5, 30, 31, 32]);
    const split: Split = { x, y: Uint8Array.from([0, 1, 2, 1]), n: 4 };
    const net = createNetwork(f64, cfg({ d: 3, K: 3, batchNorm: false }));
    const ws = workspace(net, 2, true);
    expect(workspace(net, 2, true)).toBe(ws);
    gatherRows(ws, net, split, 1, 2, Uint32Array.from([3, 2, 0, 1]));
    expect(ws.X).toBeInstanceOf(Float64Array);
    expect(Array.from(ws.X)).toEqual([20, 21, 22.5, 0, 1, 2]);
    expect(Array.from(ws.Y)).toEqual([0, 0, 1, 1, 0, 0]);
    gatherRows(ws, net, split, 2, 2);
    expect(Array.from(ws.X)).toEqual([20, 21, 22.5, 30, 31, 32]);
    expect(Array.from(ws.Y)).toEqual([0, 0, 1, 0, 1, 0]);
  });
});
