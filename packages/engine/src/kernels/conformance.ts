// Conformance of a kernel to the reference: every op of the Kernel interface runs on both kernels with
// the same random inputs on odd shapes (remainders of every blocking, a 1×1×1 case), and the outputs
// must agree within a tolerance. A fast kernel's spec calls `checkKernelAgainstReference(fast, ts-f64)`
// and asserts that the returned list of failures is empty. Also checked: arrays longer than the shape
// keep their tail, and the documented aliasing (ds = g in batch norm, ds = s in softmax) works.
import { JITTER_PARAMS, type FloatArray, type Kernel } from '../kernel.js';
import { createRng, uniform } from '../rng.js';

export interface ConformanceOptions {
  /** Relative tolerance; default 1e-4 for an f32 kernel, 1e-10 for f64. */
  rtol?: number;
  /** Absolute tolerance for elementwise results; default 1e-6 for f32, 1e-12 for f64. */
  atol?: number;
  seed?: number;
}

/** (M, N, K) shapes for the GEMMs: remainders of 4-, 8- and 16-wide blocking, tiny and lopsided cases. */
export const GEMM_SHAPES: readonly [number, number, number][] = [
  [1, 1, 1], [7, 13, 5], [33, 17, 65], [4, 8, 16], [5, 3, 2], [16, 33, 9], [2, 70, 3], [12, 5, 40],
];
/** (n, m) shapes for row/column ops, batch norm and softmax. */
export const ROW_SHAPES: readonly [number, number][] = [[1, 1], [7, 13], [33, 17], [4, 10], [100, 3], [3, 50]];
/** (n, C, H, W) for jitterImages: one pixel, odd and lopsided images, a remainder of 4-wide lanes. */
export const IMAGE_SHAPES: readonly [number, number, number, number][] = [[1, 1, 1, 1], [3, 3, 5, 7], [5, 2, 7, 3], [2, 1, 9, 9], [4, 3, 8, 8]];

const TAIL = 3;
const SENTINEL = 12345;

/** Returns one message per failed check (empty when the kernel conforms). */
export function checkKernelAgainstReference(kernel: Kernel, reference: Kernel, opts: ConformanceOptions = {}): string[] {
  const f32 = kernel.dtype === 'f32' || reference.dtype === 'f32';
  const rtol = opts.rtol ?? (f32 ? 1e-4 : 1e-10);
  const atol = opts.atol ?? (f32 ? 1e-6 : 1e-12);
  const rng = createRng(opts.seed ?? 20240601);
  const failures: string[] = [];
  const name = `${kernel.id} vs ${reference.id}`;

  // A pair of arrays with the same values (rounded to the coarser dtype), each TAIL elements longer.
  const pair = (len: number, lo = -1, hi = 1): [FloatArray, FloatArray] => {
    const a = kernel.alloc(len + TAIL);
    const b = reference.alloc(len + TAIL);
    for (let i = 0; i < len; i++) a[i] = lo + (hi - lo) * uniform(rng);
    if (kernel.dtype === 'f64' && reference.dtype === 'f32') {
      for (let i = 0; i < len; i++) a[i] = Math.fround(a[i]);
    }
    for (let i = 0; i < len; i++) b[i] = a[i];
    for (let i = len; i < len + TAIL; i++) a[i] = b[i] = SENTINEL;
    return [a, b];
  };
  // Compares the first len elements with |x − r| ≤ atol + rtol·scale[i] (scale defaults to |r|).
  const compare = (what: string, x: FloatArray, r: FloatArray, len: number, scale?: Float64Array, absTol = atol) => {
    for (let i = 0; i < len; i++) {
      const tol = absTol + rtol * (scale ? scale[i] : Math.abs(r[i]));
      if (!(Math.abs(x[i] - r[i]) <= tol)) {
        failures.push(`${name}: ${what}[${i}] = ${x[i]}, reference ${r[i]} (|diff| ${Math.abs(x[i] - r[i]).toExponential(2)} > tol ${tol.toExponential(2)})`);
        return;
      }
    }
    for (let i = len; i < len + TAIL; i++) {
      if (x[i] !== SENTINEL) {
        failures.push(`${name}: ${what} wrote past its ${len} elements (element ${i} = ${x[i]})`);
        return;
      }
    }
  };
  const compareScalar = (what: string, x: number, r: number, scale: number) => {
    const tol = atol + rtol * scale;
    if (!(Math.abs(x - r) <= tol)) failures.push(`${name}: ${what} = ${x}, reference ${r} (tol ${tol.toExponential(2)})`);
  };

  // GEMMs: the scale of out[i,j] is Σ_k |a||b|, the natural bound for a dot product's rounding error.
  for (const [M, N, K] of GEMM_SHAPES) {
    const ops = [
      ['gemmNT', 'gemmNT' as const, M * K, N * K, (i: number, j: number, k: number) => [i * K + k, j * K + k]],
      ['gemmNN', 'gemmNN' as const, M * K, K * N, (i: number, j: number, k: number) => [i * K + k, k * N + j]],
      ['gemmTN', 'gemmTN' as const, K * M, K * N, (i: number, j: number, k: number) => [k * M + i, k * N + j]],
    ] as const;
    for (const [label, op, la, lb, at] of ops) {
      const [a, ra] = pair(la);
      const [b, rb] = pair(lb);
      const [out, rout] = pair(M * N);
      kernel[op](out, a, b, M, N, K);
      reference[op](rout, ra, rb, M, N, K);
      const scale = new Float64Array(M * N);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) {
            const [p, q] = at(i, j, k);
            s += Math.abs(ra[p] * rb[q]);
          }
          scale[i * N + j] = s;
        }
      }
      compare(`${label} ${M}x${N}x${K} out`, out, rout, M * N, scale);
    }
  }

  for (const [n, m] of ROW_SHAPES) {
    const shape = `${n}x${m}`;
    {
      // a batch of n rows of a split of n + 3 rows (d = m), shuffled and contiguous: exact copies
      const rows = n + 3;
      const split = new Float32Array(rows * m);
      for (let i = 0; i < split.length; i++) split[i] = Math.fround(uniform(rng) - 0.5);
      const order = Uint32Array.from({ length: rows }, (_, i) => (i * 7 + 2) % rows);
      const [out] = pair(n * m);
      for (const [how, o, start] of [['shuffled', order, 2], ['contiguous', null, 3]] as const) {
        kernel.gatherRows(out, split, o, start, n, m);
        for (let i = 0; i < n * m; i++) {
          const want = split[(o === null ? start + Math.floor(i / m) : o[start + Math.floor(i / m)]) * m + (i % m)];
          if (out[i] !== want) {
            failures.push(`${name}: gatherRows ${shape} ${how}: out[${i}] = ${out[i]}, split row element ${want}`);
            break;
          }
        }
        if (out[n * m] !== SENTINEL) failures.push(`${name}: gatherRows ${shape} ${how} wrote past n·d`);
      }
    }
    {
      const [x, rx] = pair(n * m);
      const [v, rv] = pair(m);
      kernel.addRow(x, v, n, m);
      reference.addRow(rx, rv, n, m);
      compare(`addRow ${shape} x`, x, rx, n * m);
    }
    {
      const [x, rx] = pair(n * m);
      const [out, rout] = pair(m);
      kernel.colSum(out, x, n, m);
      reference.colSum(rout, rx, n, m);
      compare(`colSum ${shape} out`, out, rout, m, absScale(rx, n, m));
    }
    checkBatchNorm(n, m);
    {
      const [x, rx] = pair(n * m);
      kernel.reluForward(x, n * m);
      reference.reluForward(rx, n * m);
      compare(`reluForward ${shape} x`, x, rx, n * m, undefined, 0);
      const [g, rg] = pair(n * m);
      kernel.reluBackward(g, x, n * m);
      reference.reluBackward(rg, rx, n * m);
      compare(`reluBackward ${shape} g`, g, rg, n * m, undefined, 0);
    }
    checkSoftmax(n, m + 1);
    {
      const [p, rp] = pair(n * m);
      const [x, rx] = pair(n * m, -0.5, 0.5);
      kernel.sgdStep(p, x, n * m, 0.07, 0.003);
      reference.sgdStep(rp, rx, n * m, 0.07, 0.003);
      compare(`sgdStep ${shape} param`, p, rp, n * m);
      kernel.ema(p, x, n * m, 0.9);
      reference.ema(rp, rx, n * m, 0.9);
      compare(`ema ${shape} avg`, p, rp, n * m);
      compareScalar(`sumSquares ${shape}`, kernel.sumSquares(p, n * m), reference.sumSquares(rp, n * m), reference.sumSquares(rp, n * m));
    }
    {
      // a dropout mask of 0 and 1/(1 − 0.3): products of two stored values, rounded once
      const [x, rx] = pair(n * m);
      const [mask, rmask] = pair(n * m, 0, 1);
      for (let i = 0; i < n * m; i++) mask[i] = rmask[i] = mask[i] < 0.3 ? 0 : Math.fround(1 / 0.7);
      kernel.applyMask(x, mask, n * m);
      reference.applyMask(rx, rmask, n * m);
      compare(`applyMask ${shape} x`, x, rx, n * m);
    }
  }
  for (const [n, C, H, W] of IMAGE_SHAPES) checkJitter(n, C, H, W);
  return failures;

  function checkJitter(n: number, C: number, H: number, W: number): void {
    const shape = `${n}x${C}x${H}x${W}`;
    const d = C * H * W;
    const [x, rx] = pair(n * d);
    const [params, rparams] = pair(n * JITTER_PARAMS);
    // per image: flips both ways, shifts beyond the edges (clamped), contrast in [0.5, 1.5], brightness in [−0.3, 0.3]
    for (let i = 0; i < n; i++) {
      const p = i * JITTER_PARAMS;
      const v = [i % 2, ((i * 5) % (2 * W + 3)) - W - 1, ((i * 3) % (2 * H + 3)) - H - 1, Math.fround(0.5 + uniform(rng)), Math.fround(0.6 * uniform(rng) - 0.3)];
      for (let k = 0; k < JITTER_PARAMS; k++) params[p + k] = rparams[p + k] = v[k];
    }
    const [mean, rmean] = pair(d, 0.2, 0.8);
    const [std, rstd] = pair(d, 0.1, 0.5);
    const [scratch, rscratch] = pair(d);
    kernel.jitterImages(x, params, mean, std, scratch, n, C, H, W);
    reference.jitterImages(rx, rparams, rmean, rstd, rscratch, n, C, H, W);
    // |pixels| ≤ 1.3, f ≤ 1.5, |δ| ≤ 0.3: the numerator stays below 6, divided by std
    const scale = new Float64Array(n * d);
    for (let i = 0; i < n * d; i++) scale[i] = 6 / rstd[i % d];
    compare(`jitterImages ${shape} x`, x, rx, n * d, scale);
  }

  function checkBatchNorm(n: number, m: number): void {
    const shape = `${n}x${m}`;
    const eps = 1e-5;
    const [s, rs] = pair(n * m, -2, 3);
    const [gamma, rgamma] = pair(m, 0.5, 1.5);
    const [beta, rbeta] = pair(m, -0.5, 0.5);
    const [out, rout] = pair(n * m);
    const [shat, rshat] = pair(n * m);
    const [mean, rmean] = pair(m);
    const [variance, rvariance] = pair(m);
    kernel.batchNormForward(out, shat, mean, variance, s, gamma, beta, n, m, eps);
    reference.batchNormForward(rout, rshat, rmean, rvariance, rs, rgamma, rbeta, n, m, eps);
    compare(`batchNormForward ${shape} mean`, mean, rmean, m, absScale(rs, n, m, 1 / n));
    compare(`batchNormForward ${shape} variance`, variance, rvariance, m);
    // shat is (s − μ)/σ: its error scales with |s|/σ, not with |shat| (near-zero shat is a difference).
    const shatScale = new Float64Array(n * m);
    for (let i = 0; i < n * m; i++) shatScale[i] = (Math.abs(rs[i]) + Math.abs(rmean[i % m])) / Math.sqrt(rvariance[i % m] + eps);
    compare(`batchNormForward ${shape} shat`, shat, rshat, n * m, shatScale);
    const outScale = new Float64Array(n * m);
    for (let i = 0; i < n * m; i++) outScale[i] = Math.abs(rgamma[i % m]) * shatScale[i] + Math.abs(rbeta[i % m]);
    compare(`batchNormForward ${shape} out`, out, rout, n * m, outScale);

    const [inf, rinf] = pair(n * m);
    kernel.batchNormInference(inf, s, mean, variance, gamma, beta, n, m, eps);
    reference.batchNormInference(rinf, rs, rmean, rvariance, rgamma, rbeta, n, m, eps);
    compare(`batchNormInference ${shape} out`, inf, rinf, n * m, outScale);

    // Backward, with ds aliasing g as the interface allows; the reference runs on the kernel's own
    // forward outputs so that only the backward computation is compared.
    const [g, rg] = pair(n * m);
    for (let i = 0; i < n * m; i++) rshat[i] = shat[i];
    for (let i = 0; i < m; i++) rvariance[i] = variance[i];
    const [dgamma, rdgamma] = pair(m);
    const [dbeta, rdbeta] = pair(m);
    const [ds, rds] = pair(n * m);
    const gScale = absScale(rg, n, m);
    kernel.batchNormBackward(ds, dgamma, dbeta, g, shat, variance, gamma, n, m, eps);
    reference.batchNormBackward(rds, rdgamma, rdbeta, rg, rshat, rvariance, rgamma, n, m, eps);
    compare(`batchNormBackward ${shape} dbeta`, dbeta, rdbeta, m, gScale);
    const gsScale = new Float64Array(m);
    for (let i = 0; i < n * m; i++) gsScale[i % m] += Math.abs(rg[i] * rshat[i]);
    compare(`batchNormBackward ${shape} dgamma`, dgamma, rdgamma, m, gsScale);
    const dsScale = new Float64Array(n * m);
    for (let i = 0; i < n * m; i++) {
      const j = i % m;
      dsScale[i] = (Math.abs(rgamma[j]) / Math.sqrt(rvariance[j] + eps)) * (Math.abs(rg[i]) + gScale[j] / n + (Math.abs(rshat[i]) * gsScale[j]) / n);
    }
    compare(`batchNormBackward ${shape} ds`, ds, rds, n * m, dsScale);
    kernel.batchNormBackward(g, dgamma, dbeta, g, shat, variance, gamma, n, m, eps);
    compare(`batchNormBackward ${shape} ds (aliasing g)`, g, rds, n * m, dsScale);
  }

  function checkSoftmax(n: number, K: number): void {
    const shape = `${n}x${K}`;
    const [s, rs] = pair(n * K, -4, 4);
    const [y, ry] = pair(n * K);
    for (let i = 0; i < n; i++) {
      const label = Math.floor(uniform(rng) * K);
      for (let j = 0; j < K; j++) y[i * K + j] = ry[i * K + j] = j === label ? 1 : 0;
    }
    // A clear winner per row so countCorrect's argmax cannot flip on rounding.
    for (let i = 0; i < n; i++) {
      const w = Math.floor(uniform(rng) * K);
      s[i * K + w] = rs[i * K + w] = 6;
    }
    const [p, rp] = pair(n * K);
    const [ds, rds] = pair(n * K);
    const loss = kernel.softmaxCrossEntropy(p, ds, s, y, n, K);
    const rloss = reference.softmaxCrossEntropy(rp, rds, rs, ry, n, K);
    compare(`softmaxCrossEntropy ${shape} p`, p, rp, n * K);
    compare(`softmaxCrossEntropy ${shape} ds`, ds, rds, n * K, undefined, atol / n);
    compareScalar(`softmaxCrossEntropy ${shape} loss`, loss, rloss, Math.abs(rloss) + n);
    const [p2] = pair(n * K);
    const loss2 = kernel.softmaxCrossEntropy(p2, null, s, y, n, K);
    compareScalar(`softmaxCrossEntropy ${shape} loss (ds null)`, loss2, rloss, Math.abs(rloss) + n);
    compare(`softmaxCrossEntropy ${shape} p (ds null)`, p2, rp, n * K);
    const aliased = kernel.softmaxCrossEntropy(p2, s, s, y, n, K);
    compareScalar(`softmaxCrossEntropy ${shape} loss (ds aliasing s)`, aliased, rloss, Math.abs(rloss) + n);
    compare(`softmaxCrossEntropy ${shape} ds (aliasing s)`, s, rds, n * K, undefined, atol / n);
    const c = kernel.countCorrect(p, y, n, K);
    const rc = reference.countCorrect(rp, ry, n, K);
    if (c !== rc) failures.push(`${name}: countCorrect ${shape} = ${c}, reference ${rc}`);
  }
}

// Σ_rows |x[n,m]| · factor per column: the rounding scale of a column sum.
function absScale(x: FloatArray, n: number, m: number, factor = 1): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < n * m; i++) out[i % m] += Math.abs(x[i]) * factor;
  return out;
}

