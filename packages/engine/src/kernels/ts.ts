// The plain TypeScript reference kernel: 'ts-f64' and 'ts-f32'. Every fast kernel is tested against it.
// Arithmetic is in JavaScript doubles (IEEE 754, exactly specified), stored into the kernel's arrays, so
// an f32 kernel rounds once per stored element. exp and log (softmax) are not exactly specified by
// ECMAScript; V8 computes them with its port of fdlibm, which gives the same bits on every machine V8
// runs on. So the same inputs give the same bits everywhere for a given kernel id on Node.
//
// GEMMs are register-blocked 4×4: per step of the inner loop, 8 loads feed 16 multiply-adds. Each
// output element is one dot product accumulated in k order (no split accumulators), so a blocked
// element and a remainder element are computed the same way.
import { JITTER_PARAMS, type DType, type FloatArray, type Kernel } from '../kernel.js';

export function createTsKernel(dtype: DType): Kernel {
  const alloc = dtype === 'f64' ? (n: number) => new Float64Array(n) : (n: number) => new Float32Array(n);
  return {
    id: `ts-${dtype}`,
    dtype,
    alloc,
    gemmNT,
    gemmNN,
    gemmTN,
    gatherRows,
    addRow,
    colSum,
    batchNormForward,
    batchNormInference,
    batchNormBackward,
    reluForward,
    reluBackward,
    softmaxCrossEntropy,
    countCorrect,
    applyMask,
    jitterImages,
    sgdStep,
    ema,
    sumSquares,
  };
}

// out[M,N] = a[M,K] · b[N,K]ᵀ
function gemmNT(out: FloatArray, a: FloatArray, b: FloatArray, M: number, N: number, K: number): void {
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let i = 0; i < M4; i += 4) {
    const a0 = i * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
    for (let j = 0; j < N4; j += 4) {
      const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = a[a0 + k], x1 = a[a1 + k], x2 = a[a2 + k], x3 = a[a3 + k];
        const y0 = b[b0 + k], y1 = b[b1 + k], y2 = b[b2 + k], y3 = b[b3 + k];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      let o = i * N + j;
      out[o] = c00; out[o + 1] = c01; out[o + 2] = c02; out[o + 3] = c03; o += N;
      out[o] = c10; out[o + 1] = c11; out[o + 2] = c12; out[o + 3] = c13; o += N;
      out[o] = c20; out[o + 1] = c21; out[o + 2] = c22; out[o + 3] = c23; o += N;
      out[o] = c30; out[o + 1] = c31; out[o + 2] = c32; out[o + 3] = c33;
    }
    for (let j = N4; j < N; j++) {
      const bj = j * K;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0; k < K; k++) {
        const y = b[bj + k];
        c0 += a[a0 + k] * y; c1 += a[a1 + k] * y; c2 += a[a2 + k] * y; c3 += a[a3 + k] * y;
      }
      out[i * N + j] = c0; out[(i + 1) * N + j] = c1; out[(i + 2) * N + j] = c2; out[(i + 3) * N + j] = c3;
    }
  }
  for (let i = M4; i < M; i++) {
    const ai = i * K;
    for (let j = 0; j < N; j++) {
      const bj = j * K;
      let c = 0;
      for (let k = 0; k < K; k++) c += a[ai + k] * b[bj + k];
      out[i * N + j] = c;
    }
  }
}

// out[M,N] = a[M,K] · b[K,N]
function gemmNN(out: FloatArray, a: FloatArray, b: FloatArray, M: number, N: number, K: number): void {
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let i = 0; i < M4; i += 4) {
    const a0 = i * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
    for (let j = 0; j < N4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0, bk = j; k < K; k++, bk += N) {
        const x0 = a[a0 + k], x1 = a[a1 + k], x2 = a[a2 + k], x3 = a[a3 + k];
        const y0 = b[bk], y1 = b[bk + 1], y2 = b[bk + 2], y3 = b[bk + 3];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      let o = i * N + j;
      out[o] = c00; out[o + 1] = c01; out[o + 2] = c02; out[o + 3] = c03; o += N;
      out[o] = c10; out[o + 1] = c11; out[o + 2] = c12; out[o + 3] = c13; o += N;
      out[o] = c20; out[o + 1] = c21; out[o + 2] = c22; out[o + 3] = c23; o += N;
      out[o] = c30; out[o + 1] = c31; out[o + 2] = c32; out[o + 3] = c33;
    }
    for (let j = N4; j < N; j++) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0, bk = j; k < K; k++, bk += N) {
        const y = b[bk];
        c0 += a[a0 + k] * y; c1 += a[a1 + k] * y; c2 += a[a2 + k] * y; c3 += a[a3 + k] * y;
      }
      out[i * N + j] = c0; out[(i + 1) * N + j] = c1; out[(i + 2) * N + j] = c2; out[(i + 3) * N + j] = c3;
    }
  }
  for (let i = M4; i < M; i++) {
    const ai = i * K;
    for (let j = 0; j < N; j++) {
      let c = 0;
      for (let k = 0, bk = j; k < K; k++, bk += N) c += a[ai + k] * b[bk];
      out[i * N + j] = c;
    }
  }
}

// out[M,N] = a[K,M]ᵀ · b[K,N]
function gemmTN(out: FloatArray, a: FloatArray, b: FloatArray, M: number, N: number, K: number): void {
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let i = 0; i < M4; i += 4) {
    for (let j = 0; j < N4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0, ak = i, bk = j; k < K; k++, ak += M, bk += N) {
        const x0 = a[ak], x1 = a[ak + 1], x2 = a[ak + 2], x3 = a[ak + 3];
        const y0 = b[bk], y1 = b[bk + 1], y2 = b[bk + 2], y3 = b[bk + 3];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      let o = i * N + j;
      out[o] = c00; out[o + 1] = c01; out[o + 2] = c02; out[o + 3] = c03; o += N;
      out[o] = c10; out[o + 1] = c11; out[o + 2] = c12; out[o + 3] = c13; o += N;
      out[o] = c20; out[o + 1] = c21; out[o + 2] = c22; out[o + 3] = c23; o += N;
      out[o] = c30; out[o + 1] = c31; out[o + 2] = c32; out[o + 3] = c33;
    }
    for (let j = N4; j < N; j++) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0, ak = i, bk = j; k < K; k++, ak += M, bk += N) {
        const y = b[bk];
        c0 += a[ak] * y; c1 += a[ak + 1] * y; c2 += a[ak + 2] * y; c3 += a[ak + 3] * y;
      }
      out[i * N + j] = c0; out[(i + 1) * N + j] = c1; out[(i + 2) * N + j] = c2; out[(i + 3) * N + j] = c3;
    }
  }
  for (let i = M4; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let c = 0;
      for (let k = 0, ak = i, bk = j; k < K; k++, ak += M, bk += N) c += a[ak] * b[bk];
      out[i * N + j] = c;
    }
  }
}

function gatherRows(out: FloatArray, x: Float32Array, order: Uint32Array | null, start: number, n: number, d: number): void {
  copyRows(out, x, order, start, 0, n, d);
}

/**
 * Rows from … to−1 of a gathered batch: out[i,·] = x[order[start+i], ·] (x[start+i, ·] when order is
 * null), i in [from, to). set() converts f32 → f64 for ts-f64. The WebAssembly kernel copies its share
 * of a batch with it too.
 */
export function copyRows(out: FloatArray, x: Float32Array, order: Uint32Array | null, start: number, from: number, to: number, d: number): void {
  if (order === null) {
    out.set(x.subarray((start + from) * d, (start + to) * d), from * d);
    return;
  }
  for (let i = from; i < to; i++) {
    const r = order[start + i];
    out.set(x.subarray(r * d, r * d + d), i * d);
  }
}

// x[n,m] += v[m]
function addRow(x: FloatArray, v: FloatArray, n: number, m: number): void {
  for (let i = 0, r = 0; i < n; i++, r += m) {
    for (let j = 0; j < m; j++) x[r + j] += v[j];
  }
}

// out[m] = Σ_rows x[n,m], each column accumulated in row order in a double
function colSum(out: FloatArray, x: FloatArray, n: number, m: number): void {
  for (let j = 0; j < m; j++) {
    let c = 0;
    for (let i = 0, r = j; i < n; i++, r += m) c += x[r];
    out[j] = c;
  }
}

// s[n,m] → mean[m], variance[m] (biased), shat[n,m], out[n,m] = gamma ⊙ shat + beta.
// The statistics are computed per column in doubles (two passes), stored, and the stored values
// (rounded to the kernel's precision) are the ones normalised with, so backward sees what forward used.
function batchNormForward(
  out: FloatArray, shat: FloatArray, mean: FloatArray, variance: FloatArray,
  s: FloatArray, gamma: FloatArray, beta: FloatArray, n: number, m: number, eps: number,
): void {
  for (let j = 0; j < m; j++) {
    let sum = 0;
    for (let i = 0, r = j; i < n; i++, r += m) sum += s[r];
    mean[j] = sum / n;
    const mu = mean[j];
    let sq = 0;
    for (let i = 0, r = j; i < n; i++, r += m) {
      const c = s[r] - mu;
      sq += c * c;
    }
    variance[j] = sq / n;
    const inv = 1 / Math.sqrt(variance[j] + eps);
    const g = gamma[j], bt = beta[j];
    for (let i = 0, r = j; i < n; i++, r += m) {
      shat[r] = (s[r] - mu) * inv;
      out[r] = g * shat[r] + bt;
    }
  }
}

// out[n,m] = gamma ⊙ (s − mean)/√(variance + eps) + beta
function batchNormInference(
  out: FloatArray, s: FloatArray, mean: FloatArray, variance: FloatArray,
  gamma: FloatArray, beta: FloatArray, n: number, m: number, eps: number,
): void {
  for (let j = 0; j < m; j++) {
    const mu = mean[j], g = gamma[j], bt = beta[j];
    const inv = 1 / Math.sqrt(variance[j] + eps);
    for (let i = 0, r = j; i < n; i++, r += m) out[r] = g * ((s[r] - mu) * inv) + bt;
  }
}

// dgamma[m] = Σ g ⊙ shat, dbeta[m] = Σ g, ds[n,m] = gamma/√(v+eps) · (g − mean(g) − shat ⊙ mean(g ⊙ shat))
function batchNormBackward(
  ds: FloatArray, dgamma: FloatArray, dbeta: FloatArray,
  g: FloatArray, shat: FloatArray, variance: FloatArray, gamma: FloatArray,
  n: number, m: number, eps: number,
): void {
  for (let j = 0; j < m; j++) {
    let sg = 0, sgs = 0;
    for (let i = 0, r = j; i < n; i++, r += m) {
      sg += g[r];
      sgs += g[r] * shat[r];
    }
    dgamma[j] = sgs;
    dbeta[j] = sg;
    const mg = sg / n, mgs = sgs / n;
    const scale = gamma[j] / Math.sqrt(variance[j] + eps);
    for (let i = 0, r = j; i < n; i++, r += m) ds[r] = scale * (g[r] - mg - shat[r] * mgs);
  }
}

// x[len] = max(x, 0); a NaN stays NaN so a diverging run shows in its cost
function reluForward(x: FloatArray, len: number): void {
  for (let i = 0; i < len; i++) if (x[i] < 0) x[i] = 0;
}

// g[len] *= (h > 0)
function reluBackward(g: FloatArray, h: FloatArray, len: number): void {
  for (let i = 0; i < len; i++) if (!(h[i] > 0)) g[i] = 0;
}

// p[n,K] = softmax rows of s[n,K]; returns Σ_rows Σ_j −y log p computed as y·(logΣexp − s), so a
// probability that underflows still gives a finite loss; ds[n,K] = (p − y)/n (may alias s).
function softmaxCrossEntropy(
  p: FloatArray, ds: FloatArray | null, s: FloatArray, y: FloatArray, n: number, K: number,
): number {
  let loss = 0;
  for (let i = 0, r = 0; i < n; i++, r += K) {
    let max = s[r];
    for (let j = 1; j < K; j++) if (s[r + j] > max) max = s[r + j];
    let sum = 0;
    for (let j = 0; j < K; j++) sum += Math.exp(s[r + j] - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < K; j++) {
      const yj = y[r + j];
      if (yj !== 0) loss += yj * (lse - s[r + j]);
    }
    for (let j = 0; j < K; j++) p[r + j] = Math.exp(s[r + j] - max) / sum;
    if (ds !== null) for (let j = 0; j < K; j++) ds[r + j] = (p[r + j] - y[r + j]) / n;
  }
  return loss;
}

// Σ_rows [argmax p == argmax y], first maximum wins
function countCorrect(p: FloatArray, y: FloatArray, n: number, K: number): number {
  let correct = 0;
  for (let i = 0, r = 0; i < n; i++, r += K) {
    let bp = 0, by = 0;
    for (let j = 1; j < K; j++) {
      if (p[r + j] > p[r + bp]) bp = j;
      if (y[r + j] > y[r + by]) by = j;
    }
    if (bp === by) correct++;
  }
  return correct;
}

// x[len] *= mask[len]
function applyMask(x: FloatArray, mask: FloatArray, len: number): void {
  for (let i = 0; i < len; i++) x[i] *= mask[i];
}

// Per image of x[n, C·H·W]: the flipped and shifted pixels into scratch (edges repeated), summed for
// the image's mean; then contrast about that mean and brightness, standardised back into x (see kernel.ts).
function jitterImages(
  x: FloatArray, params: FloatArray, mean: FloatArray, std: FloatArray, scratch: FloatArray,
  n: number, C: number, H: number, W: number,
): void {
  const plane = H * W, d = C * plane;
  for (let i = 0; i < n; i++) {
    const row = i * d, p = i * JITTER_PARAMS;
    const flip = params[p] !== 0, dx = params[p + 1], dy = params[p + 2], f = params[p + 3], delta = params[p + 4];
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < H; y++) {
        const sy = Math.min(Math.max(y - dy, 0), H - 1);
        const src = c * plane + sy * W, dst = c * plane + y * W;
        for (let xx = 0; xx < W; xx++) {
          const sx = Math.min(Math.max(xx - dx, 0), W - 1);
          const k = src + (flip ? W - 1 - sx : sx);
          scratch[dst + xx] = x[row + k] * std[k] + mean[k];
        }
      }
    }
    // four partial sums (element j into s[j mod 4]), then the tail in order: the WebAssembly kernel
    // sums in two f64x2 lanes pairs, the same additions
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = 0;
    for (; j + 4 <= d; j += 4) {
      s0 += scratch[j]; s1 += scratch[j + 1]; s2 += scratch[j + 2]; s3 += scratch[j + 3];
    }
    let sum = (s0 + s1) + (s2 + s3);
    for (; j < d; j++) sum += scratch[j];
    const m = sum / d;
    for (let j = 0; j < d; j++) x[row + j] = (m + f * (scratch[j] - m) + delta - mean[j]) / std[j];
  }
}

// param[len] −= eta · (grad + 2·lambda·param)
function sgdStep(param: FloatArray, grad: FloatArray, len: number, eta: number, lambda: number): void {
  const l2 = 2 * lambda;
  for (let i = 0; i < len; i++) param[i] -= eta * (grad[i] + l2 * param[i]);
}

// avg[len] = alpha·avg + (1 − alpha)·x
function ema(avg: FloatArray, x: FloatArray, len: number, alpha: number): void {
  const beta = 1 - alpha;
  for (let i = 0; i < len; i++) avg[i] = alpha * avg[i] + beta * x[i];
}

// Σ x²
function sumSquares(x: FloatArray, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += x[i] * x[i];
  return s;
}
