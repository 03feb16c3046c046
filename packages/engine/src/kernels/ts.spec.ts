import { describe, expect, it } from 'vitest';
import type { FloatArray, Kernel } from '../kernel.js';
import { createRng, uniform } from '../rng.js';
import { checkKernelAgainstReference, GEMM_SHAPES } from './conformance.js';
import { createTsKernel } from './ts.js';

const kernels: Kernel[] = [createTsKernel('f64'), createTsKernel('f32')];
const rng = createRng(7);

function filled(k: Kernel, len: number, lo = -1, hi = 1): FloatArray {
  const a = k.alloc(len);
  for (let i = 0; i < len; i++) a[i] = lo + (hi - lo) * uniform(rng);
  return a;
}
const of = (k: Kernel, values: number[]): FloatArray => {
  const a = k.alloc(values.length);
  a.set(values);
  return a;
};
// |x − r| ≤ atol + rtol|r| elementwise, with a message naming the first offender.
function expectClose(what: string, x: ArrayLike<number>, r: ArrayLike<number>, rtol: number, atol: number): void {
  expect(x.length, `${what} length`).toBe(r.length);
  for (let i = 0; i < r.length; i++) {
    const tol = atol + rtol * Math.abs(r[i]);
    if (!(Math.abs(x[i] - r[i]) <= tol)) expect.fail(`${what}[${i}] = ${x[i]}, expected ${r[i]} (tol ${tol.toExponential(1)})`);
  }
}

describe('ts kernel GEMMs against naive triple loops', () => {
  for (const k of kernels) {
    const rtol = k.dtype === 'f64' ? 1e-12 : 1e-5;
    for (const [M, N, K] of GEMM_SHAPES) {
      it(`${k.id} ${M}x${N}x${K}`, () => {
        // The same logical A[M,K] and B[K,N], stored as each product expects.
        const A = Array.from({ length: M }, () => Array.from({ length: K }, () => Math.fround(uniform(rng) * 2 - 1)));
        const B = Array.from({ length: K }, () => Array.from({ length: N }, () => Math.fround(uniform(rng) * 2 - 1)));
        const C = A.map((row) => B[0].map((_, j) => row.reduce((s, a, kk) => s + a * B[kk][j], 0)));
        const expected = C.flat();
        const aRow = of(k, A.flat()); // A[M,K]
        const aT = of(k, B.map((_, kk) => A.map((row) => row[kk])).flat()); // Aᵀ stored [K,M]
        const bRow = of(k, B.flat()); // B[K,N]
        const bT = of(k, B[0].map((_, j) => B.map((row) => row[j])).flat()); // Bᵀ stored [N,K]
        const atol = K * (k.dtype === 'f64' ? 1e-15 : 1e-7);
        const out = k.alloc(M * N);
        k.gemmNN(out, aRow, bRow, M, N, K);
        expectClose('gemmNN', out, expected, rtol, atol);
        out.fill(NaN);
        k.gemmNT(out, aRow, bT, M, N, K);
        expectClose('gemmNT', out, expected, rtol, atol);
        out.fill(NaN);
        k.gemmTN(out, aT, bRow, M, N, K);
        expectClose('gemmTN', out, expected, rtol, atol);
      });
    }
  }
});

describe('ts kernel elementwise ops on hand-worked cases', () => {
  for (const k of kernels) {
    it(`${k.id} addRow, colSum, relu, sgdStep, ema, sumSquares`, () => {
      const x = of(k, [1, 2, 3, 4, 5, 6]); // [2,3]
      k.addRow(x, of(k, [10, 20, 30]), 2, 3);
      expect(Array.from(x)).toEqual([11, 22, 33, 14, 25, 36]);
      const cs = k.alloc(3);
      k.colSum(cs, x, 2, 3);
      expect(Array.from(cs)).toEqual([25, 47, 69]);

      const h = of(k, [-1, 0, 2, -0.5, 3]);
      k.reluForward(h, 5);
      expect(Array.from(h)).toEqual([0, 0, 2, 0, 3]);
      const g = of(k, [1, 2, 3, 4, 5]);
      k.reluBackward(g, h, 5);
      expect(Array.from(g)).toEqual([0, 0, 3, 0, 5]);

      const p = of(k, [1, -2]);
      k.sgdStep(p, of(k, [0.5, 0.25]), 2, 0.5, 0.25); // p − 0.5·(g + 0.5·p)
      expect(Array.from(p)).toEqual([1 - 0.5 * (0.5 + 0.5), -2 - 0.5 * (0.25 - 1)]);
      const avg = of(k, [1, 2]);
      k.ema(avg, of(k, [3, 4]), 2, 0.75);
      expect(Array.from(avg)).toEqual([1.5, 2.5]);
      expect(k.sumSquares(of(k, [1, -2, 3, 100]), 3)).toBe(14);
    });

    it(`${k.id} applyMask and jitterImages on hand-worked cases`, () => {
      const x = of(k, [1, -2, 3, 4]);
      k.applyMask(x, of(k, [0, 2, 2, 0]), 4);
      expect(Array.from(x)).toEqual([0, -4, 6, 0]);

      // two 2×1×3 images (C = 2, H = 1, W = 3), mean 0.5, std 0.5 (so pixel = (x + 1)/2, exact in binary)
      // image 0: pixels c0 [0, 0.5, 1], c1 [0.25, 0.75, 1]; flip, dx = +1 → c0 [1, 1, 0.5], c1 [1, 1, 0.75]
      //   (x = 0 reads the clamped edge); f = 1, δ = 0 → unchanged pixels; back: x = (pixel − 0.5)/0.5
      // image 1: pixels c0 [0, 0.5, 1], c1 [0, 0, 0.5]; no flip, dx = −1 → c0 [0.5, 1, 1], c1 [0, 0.5, 0.5];
      //   mean m = 3.5/6; f = 2, δ = 0.25 → m + 2(v − m) + 0.25 = 2v − m + 0.25
      const img = of(k, [-1, 0, 1, -0.5, 0.5, 1, /**/ -1, 0, 1, -1, -1, 0]);
      const params = of(k, [1, 1, 0, 1, 0, /**/ 0, -1, 0, 2, 0.25]);
      const half = of(k, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
      k.jitterImages(img, params, half, half, k.alloc(6), 2, 2, 1, 3);
      const m = 3.5 / 6;
      const back = (p: number) => (p - 0.5) / 0.5;
      const expected = [...[1, 1, 0.5, 1, 1, 0.75].map(back), ...[0.5, 1, 1, 0, 0.5, 0.5].map((v) => back(2 * v - m + 0.25))];
      expectClose('jitterImages', img, expected, k.dtype === 'f64' ? 1e-15 : 1e-6, 1e-7);
    });

    it(`${k.id} countCorrect takes the first maximum on ties`, () => {
      const p = of(k, [0.2, 0.5, 0.3, /**/ 0.4, 0.4, 0.2, /**/ 0.1, 0.1, 0.8]);
      const y = of(k, [0, 1, 0, /**/ 0, 1, 0, /**/ 0, 0, 1]);
      expect(k.countCorrect(p, y, 3, 3)).toBe(2); // row 2's tie goes to class 0, label 1
    });

    it(`${k.id} batch norm forward and inference on a hand-worked case`, () => {
      // columns: [1, 3] → μ 2, v 1;  [2, 6] → μ 4, v 4;  eps 0 so the numbers are exact.
      const s = of(k, [1, 2, 3, 6]);
      const gamma = of(k, [2, 0.5]);
      const beta = of(k, [1, -1]);
      const out = k.alloc(4), shat = k.alloc(4), mean = k.alloc(2), variance = k.alloc(2);
      k.batchNormForward(out, shat, mean, variance, s, gamma, beta, 2, 2, 0);
      expect(Array.from(mean)).toEqual([2, 4]);
      expect(Array.from(variance)).toEqual([1, 4]);
      expect(Array.from(shat)).toEqual([-1, -1, 1, 1]);
      expect(Array.from(out)).toEqual([-1, -1.5, 3, -0.5]);
      // eps inside the square root: v = 1, eps = 3 → divide by 2
      k.batchNormForward(out, shat, mean, variance, of(k, [1, 0, 3, 0]), gamma, beta, 2, 2, 3);
      expect(shat[0]).toBe(-0.5);
      expect(shat[1]).toBe(0);
      const inf = k.alloc(4);
      k.batchNormInference(inf, of(k, [4, 0, 0, 8]), of(k, [2, 4]), of(k, [1, 16]), gamma, beta, 2, 2, 3);
      const r19 = Math.sqrt(19);
      expectClose('inference', inf, [3, 0.5 * (-4 / r19) - 1, -1, 0.5 * (4 / r19) - 1], k.dtype === 'f64' ? 1e-15 : 1e-7, 0);
    });

    it(`${k.id} softmax cross-entropy on a hand-worked case`, () => {
      // row 0: s = [0, ln 3] → p = [1/4, 3/4], label 1 → −ln(3/4); row 1: s = [5, 5] → p = [½, ½], label 0 → ln 2
      const s = of(k, [0, Math.log(3), 5, 5]);
      const y = of(k, [0, 1, 1, 0]);
      const p = k.alloc(4), ds = k.alloc(4);
      const loss = k.softmaxCrossEntropy(p, ds, s, y, 2, 2);
      const tol = k.dtype === 'f64' ? 1e-15 : 1e-7;
      expect(Math.abs(loss - (Math.log(4 / 3) + Math.log(2)))).toBeLessThan(tol * 4);
      expectClose('p', p, [0.25, 0.75, 0.5, 0.5], tol, 0);
      expectClose('ds', ds, [0.125, -0.125, -0.25, 0.25], tol, 0);
      // a probability that underflows still gives the exact, finite loss
      const far = k.softmaxCrossEntropy(k.alloc(2), null, of(k, [0, 1000]), of(k, [1, 0]), 1, 2);
      expect(far).toBe(1000);
    });
  }
});

// Gradients of the ops against centred differences in float64: for an op y = f(x) and a fixed random
// C, the scalar L = Σ C ⊙ y has dL/dy = C; the op's backward given C must equal the numerical dL/dx.
describe('op gradients against centred differences (ts-f64)', () => {
  const k = createTsKernel('f64');
  const h = 1e-6;
  function numerical(x: FloatArray, L: () => number): Float64Array {
    const g = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      x[i] = v + h;
      const up = L();
      x[i] = v - h;
      const down = L();
      x[i] = v;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  }
  function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
    let d = 0, na = 0, nb = 0;
    for (let i = 0; i < a.length; i++) {
      d += (a[i] - b[i]) ** 2;
      na += a[i] ** 2;
      nb += b[i] ** 2;
    }
    return Math.sqrt(d) / Math.max(1e-12, Math.sqrt(na) + Math.sqrt(nb));
  }
  const dot = (a: FloatArray, b: FloatArray) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  };

  it('linear layer S = H·Wᵀ + b: dW by gemmTN, db by colSum, dH by gemmNN', () => {
    const [n, d, m] = [5, 7, 3];
    const H = filled(k, n * d), W = filled(k, m * d), b = filled(k, m), C = filled(k, n * m);
    const S = k.alloc(n * m);
    const L = () => {
      k.gemmNT(S, H, W, n, m, d);
      k.addRow(S, b, n, m);
      return dot(S, C);
    };
    const dW = k.alloc(m * d), db = k.alloc(m), dH = k.alloc(n * d);
    k.gemmTN(dW, C, H, m, d, n);
    k.colSum(db, C, n, m);
    k.gemmNN(dH, C, W, n, d, m);
    for (const [name, ga, x] of [['W', dW, W], ['b', db, b], ['H', dH, H]] as const) {
      const e = relErr(ga, numerical(x, L));
      expect(e, `d${name} rel err ${e.toExponential(2)} > 1e-8`).toBeLessThan(1e-8);
    }
  });

  it('batch norm (training mode): ds, dgamma, dbeta by batchNormBackward', () => {
    const [n, m, eps] = [6, 4, 1e-5];
    const s = filled(k, n * m, -2, 2), gamma = filled(k, m, 0.5, 1.5), beta = filled(k, m), C = filled(k, n * m);
    const out = k.alloc(n * m), shat = k.alloc(n * m), mean = k.alloc(m), variance = k.alloc(m);
    const L = () => {
      k.batchNormForward(out, shat, mean, variance, s, gamma, beta, n, m, eps);
      return dot(out, C);
    };
    L();
    const ds = k.alloc(n * m), dgamma = k.alloc(m), dbeta = k.alloc(m);
    k.batchNormBackward(ds, dgamma, dbeta, C, shat, variance, gamma, n, m, eps);
    for (const [name, ga, x] of [['s', ds, s], ['gamma', dgamma, gamma], ['beta', dbeta, beta]] as const) {
      const e = relErr(ga, numerical(x, L));
      expect(e, `d${name} rel err ${e.toExponential(2)} > 1e-7`).toBeLessThan(1e-7);
    }
  });

  it('ReLU: reluBackward', () => {
    const x = filled(k, 20), y = k.alloc(20), C = filled(k, 20);
    const L = () => {
      y.set(x);
      k.reluForward(y, 20);
      return dot(y, C);
    };
    L();
    const g = k.alloc(20);
    g.set(C);
    k.reluBackward(g, y, 20);
    const e = relErr(g, numerical(x, L));
    expect(e, `dx rel err ${e.toExponential(2)}`).toBeLessThan(1e-8);
  });

  it('softmax cross-entropy: ds is the gradient of the mean loss', () => {
    const [n, K] = [4, 5];
    const s = filled(k, n * K, -3, 3), y = k.alloc(n * K), p = k.alloc(n * K);
    for (let i = 0; i < n; i++) y[i * K + ((i * 3) % K)] = 1;
    const L = () => k.softmaxCrossEntropy(p, null, s, y, n, K) / n;
    const ds = k.alloc(n * K);
    k.softmaxCrossEntropy(p, ds, s, y, n, K);
    const e = relErr(ds, numerical(s, L));
    expect(e, `ds rel err ${e.toExponential(2)}`).toBeLessThan(1e-8);
  });
});

describe('conformance helper', () => {
  it('ts-f32 conforms to ts-f64 on every op', () => {
    expect(checkKernelAgainstReference(createTsKernel('f32'), createTsKernel('f64'))).toEqual([]);
  });

  it('catches a kernel that is wrong in one op', () => {
    const ref = createTsKernel('f64');
    const broken: Kernel = {
      ...ref,
      id: 'broken',
      gemmTN(out, a, b, M, N, K) {
        ref.gemmTN(out, a, b, M, N, K);
        if (M * N > 4) out[M * N - 1] += 1e-3; // one wrong element, not the first
      },
      ema(avg, x, len, alpha) {
        ref.ema(avg, x, len, alpha);
        avg[len] = -1; // writes one element past its length
      },
    };
    const failures = checkKernelAgainstReference(broken, ref);
    expect(failures.some((f) => f.includes('gemmTN 7x13x5'))).toBe(true);
    expect(failures.some((f) => f.includes('ema') && f.includes('wrote past'))).toBe(true);
    expect(failures.some((f) => f.includes('gemmNT'))).toBe(false);
  });
});
