// ε = Matlab's eps (2.2e-16) in batch norm: what every kernel does when a unit's batch variance is
// exactly 0 — a constant input column, or a unit whose inputs are all zero (every ReLU feeding it dead).
// Nothing may come out NaN or infinite: forward gives ŝ = 0 (so out = β), backward stays finite.
import { describe, expect, it } from 'vitest';
import { createKernel, kernelIds } from './kernels/registry.js';
import { createNetwork, DEFAULT_EPS, networkBackward, networkForward, workspace } from './network.js';
import type { FloatArray } from './kernel.js';

const allFinite = (x: FloatArray, len = x.length) => {
  for (let i = 0; i < len; i++) if (!Number.isFinite(x[i])) return false;
  return true;
};

describe('the default ε', () => {
  it("is Matlab's eps, as the assignment specifies", () => {
    expect(DEFAULT_EPS).toBe(2.220446049250313e-16);
  });
});

describe.each(kernelIds())('%s: batch norm with a zero-variance column and ε = 2.2e-16', (id) => {
  const n = 7, m = 5; // odd shapes; columns 1 and 3 are constant, column 4 is all zeros
  const fill = (k: ReturnType<typeof createKernel>) => {
    const s = k.alloc(n * m);
    for (let i = 0; i < n; i++) {
      s[i * m + 0] = Math.sin(i + 1);
      s[i * m + 1] = 0.3; // constant, not exactly representable in binary
      s[i * m + 2] = i - 3;
      s[i * m + 3] = -1.7e-3;
      s[i * m + 4] = 0;
    }
    return s;
  };

  it('forward: variance 0, ŝ = 0 and out = β in the constant columns; nothing non-finite', () => {
    const k = createKernel(id);
    const s = fill(k);
    const [out, shat] = [k.alloc(n * m), k.alloc(n * m)];
    const [mean, variance, gamma, beta] = [k.alloc(m), k.alloc(m), k.alloc(m), k.alloc(m)];
    for (let j = 0; j < m; j++) {
      gamma[j] = 1 + j / 10;
      beta[j] = j / 7;
    }
    k.batchNormForward(out, shat, mean, variance, s, gamma, beta, n, m, DEFAULT_EPS);
    expect(allFinite(out) && allFinite(shat) && allFinite(mean) && allFinite(variance)).toBe(true);
    for (const j of [1, 3, 4]) {
      expect(variance[j]).toBe(0);
      for (let i = 0; i < n; i++) {
        expect(shat[i * m + j]).toBe(0);
        expect(out[i * m + j]).toBe(beta[j]);
      }
    }
    const inf = k.alloc(n * m);
    k.batchNormInference(inf, s, mean, variance, gamma, beta, n, m, DEFAULT_EPS);
    expect(allFinite(inf)).toBe(true);
  });

  it('backward: finite gradients through the constant columns', () => {
    const k = createKernel(id);
    const s = fill(k);
    const [out, shat, g] = [k.alloc(n * m), k.alloc(n * m), k.alloc(n * m)];
    const [mean, variance, gamma, beta, dgamma, dbeta] = [k.alloc(m), k.alloc(m), k.alloc(m), k.alloc(m), k.alloc(m), k.alloc(m)];
    gamma.fill(1);
    k.batchNormForward(out, shat, mean, variance, s, gamma, beta, n, m, DEFAULT_EPS);
    for (let i = 0; i < n * m; i++) g[i] = Math.cos(i) / n;
    k.batchNormBackward(g, dgamma, dbeta, g, shat, variance, gamma, n, m, DEFAULT_EPS);
    expect(allFinite(g) && allFinite(dgamma) && allFinite(dbeta)).toBe(true);
    for (const j of [1, 3, 4]) expect(dgamma[j]).toBe(0);
  });

  it('a BN net fed a constant input column and a layer of dead ReLU units trains without NaN', () => {
    const k = createKernel(id);
    const d = 6, K = 3, rows = 9;
    const net = createNetwork(k, { d, K, hidden: [4, 5], batchNorm: true, eps: DEFAULT_EPS, alpha: 0.9 });
    // Layer 1: unit 2 has zero weights (its scores are constant 0); β = −1 with γ = 0 for unit 0 kills it
    // for every row, so layer 2 sees a constant zero input there.
    const [l1, l2, l3] = net.layers;
    for (let i = 0; i < l1.W.length; i++) l1.W[i] = ((i * 7) % 11) / 11 - 0.5;
    for (let j = 0; j < d; j++) l1.W[2 * d + j] = 0;
    l1.gamma![0] = 0;
    l1.beta![0] = -1;
    for (let i = 0; i < l2.W.length; i++) l2.W[i] = ((i * 5) % 13) / 13 - 0.5;
    for (let i = 0; i < l3.W.length; i++) l3.W[i] = ((i * 3) % 7) / 7 - 0.5;
    const ws = workspace(net, rows, true);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < d; j++) ws.X[i * d + j] = j === 4 ? 0.25 : Math.sin(3 * i + j); // column 4 constant
      ws.Y[i * K + (i % K)] = 1;
    }
    const cost = networkForward(ws, net, rows, 'train', true);
    expect(Number.isFinite(cost)).toBe(true);
    networkBackward(ws, net, rows);
    for (const layer of net.layers) {
      expect(allFinite(layer.dW)).toBe(true);
      if (layer.dgamma) expect(allFinite(layer.dgamma) && allFinite(layer.dbeta!)).toBe(true);
    }
    // Evaluation mode (moving averages) on the same batch is finite too.
    const evalWs = workspace(net, rows, false);
    evalWs.X.set(ws.X.subarray(0, rows * d));
    evalWs.Y.set(ws.Y.subarray(0, rows * K));
    expect(Number.isFinite(networkForward(evalWs, net, rows, 'eval', true))).toBe(true);
  });
});
