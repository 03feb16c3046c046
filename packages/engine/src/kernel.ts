// The kernel interface: every hot loop of the engine goes through one of these functions, so a faster
// implementation (WebAssembly SIMD) can replace the plain TypeScript reference without touching the
// network code. Layout, fixed throughout the engine:
//   - activations and data are row-major, one sample per row: H[n, m] (a mini-batch is contiguous);
//   - weights are output-major: W[m, d] maps d inputs to m outputs (layer 1 of CIFAR-10 is 50 × 3072);
//   - vectors (bias, γ, β, μ, v) are length m.
// All arrays passed to a kernel must come from that kernel's `alloc` (the WASM kernel addresses them
// by their offset in its memory). Arrays may be longer than the shapes say; only the prefix is used.

export type DType = 'f32' | 'f64';
export type FloatArray = Float32Array | Float64Array;

/** Floats per image in jitterImages' params: flip, dx, dy, contrast factor, brightness offset. */
export const JITTER_PARAMS = 5;

export interface Kernel {
  /** Names exactly what computes, e.g. 'ts-f64', 'ts-f32', 'wasm-simd-f32', 'wasm-relaxed-fma-f32'. */
  readonly id: string;
  readonly dtype: DType;

  /** Releases what the kernel holds besides memory (a threaded kernel's helper threads); optional. */
  dispose?(): void;

  /** A zeroed array of n elements that stays valid (never detached or moved) for the kernel's life. */
  alloc(n: number): FloatArray;

  // out[M,N] = a[M,K] · b[N,K]ᵀ           forward: S[n,m] = H[n,d] · W[m,d]ᵀ
  gemmNT(out: FloatArray, a: FloatArray, b: FloatArray, M: number, N: number, K: number): void;
  // out[M,N] = a[M,K] · b[K,N]            backward to the inputs: dH[n,d] = dS[n,m] · W[m,d]
  gemmNN(out: FloatArray, a: FloatArray, b: FloatArray, M: number, N: number, K: number): void;
  // out[M,N] = a[K,M]ᵀ · b[K,N]           weight gradient: dW[m,d] = dS[n,m]ᵀ · H[n,d]
  gemmTN(out: FloatArray, a: FloatArray, b: FloatArray, M: number, N: number, K: number): void;

  // out[n,d] = rows order[start … start+n−1] of x[·,d], or rows start … start+n−1 when order is null:
  // a mini-batch gathered from a data split (x is the split's array, not one of the kernel's).
  gatherRows(out: FloatArray, x: Float32Array, order: Uint32Array | null, start: number, n: number, d: number): void;

  // x[n,m] += v[m] (every row)
  addRow(x: FloatArray, v: FloatArray, n: number, m: number): void;
  // out[m] = Σ_rows x[n,m]
  colSum(out: FloatArray, x: FloatArray, n: number, m: number): void;

  // Training-mode batch norm over the rows of s[n,m], biased variance, ε inside the square root:
  //   mean[m], variance[m] = batch statistics of s;  shat[n,m] = (s − mean)/√(variance + eps)
  //   out[n,m] = gamma ⊙ shat + beta
  batchNormForward(
    out: FloatArray, shat: FloatArray, mean: FloatArray, variance: FloatArray,
    s: FloatArray, gamma: FloatArray, beta: FloatArray, n: number, m: number, eps: number,
  ): void;
  // Evaluation-mode batch norm with given (moving-average) statistics:
  //   out[n,m] = gamma ⊙ (s − mean)/√(variance + eps) + beta
  batchNormInference(
    out: FloatArray, s: FloatArray, mean: FloatArray, variance: FloatArray,
    gamma: FloatArray, beta: FloatArray, n: number, m: number, eps: number,
  ): void;
  // Backward through out = gamma ⊙ shat + beta with batch statistics:
  //   dgamma[m] = Σ g ⊙ shat, dbeta[m] = Σ g,
  //   ds[n,m] = gamma/√(v+eps) · (g − mean_rows(g) − shat ⊙ mean_rows(g ⊙ shat))
  // (ds may alias g.)
  batchNormBackward(
    ds: FloatArray, dgamma: FloatArray, dbeta: FloatArray,
    g: FloatArray, shat: FloatArray, variance: FloatArray, gamma: FloatArray,
    n: number, m: number, eps: number,
  ): void;

  // x[len] = max(x, 0) in place
  reluForward(x: FloatArray, len: number): void;
  // g[len] *= (h > 0), h the ReLU output
  reluBackward(g: FloatArray, h: FloatArray, len: number): void;

  // p[n,K] = softmax of the rows of s[n,K]; y[n,K] one-hot labels.
  // Returns Σ_rows −log p[y] (the summed cross-entropy, accumulated in float64) and writes
  // ds[n,K] = (p − y)/n, the gradient of the mean cross-entropy (ds may alias s; pass null to skip).
  softmaxCrossEntropy(p: FloatArray, ds: FloatArray | null, s: FloatArray, y: FloatArray, n: number, K: number): number;
  // correct predictions: Σ_rows [argmax p == argmax y] (first maximum wins on ties)
  countCorrect(p: FloatArray, y: FloatArray, n: number, K: number): number;

  // Inverted dropout, forward and backward alike: x[len] *= mask[len], mask holding 0 or 1/(1 − p)
  // (the same mask scales the activations in the forward pass and their gradients in the backward).
  applyMask(x: FloatArray, mask: FloatArray, len: number): void;

  // Jitter of a mini-batch of images in place: x[n, C·H·W] standardised rows (channel-major images,
  // pixel = x·std + mean), params[n, JITTER_PARAMS] per image = [flip 0|1, dx, dy, contrast f,
  // brightness δ], mean[C·H·W], std[C·H·W], scratch[C·H·W]. Per image, in doubles:
  //   v[c,y,x] = the pixel r[k] = x[k]·std[k] + mean[k] at k = (c, clampH(y − dy), X), with
  //     X = W−1−clampW(x − dx) if flip else clampW(x − dx) (edges repeated), stored in scratch;
  //   m = Σ v / (C·H·W), Σ = ((s₀ + s₁) + (s₂ + s₃)) + the last (C·H·W mod 4) values in order, with
  //     s_r the sum in index order of v[j] for j ≡ r (mod 4), j < 4·⌊C·H·W/4⌋ (four lanes);
  //   x[j] = ((m + f·(v[j] − m) + δ) − mean[j]) / std[j].
  jitterImages(
    x: FloatArray, params: FloatArray, mean: FloatArray, std: FloatArray, scratch: FloatArray,
    n: number, C: number, H: number, W: number,
  ): void;

  // SGD with L2: param[len] −= eta · (grad + 2·lambda·param)   (lambda = 0 for γ, β and biases)
  sgdStep(param: FloatArray, grad: FloatArray, len: number, eta: number, lambda: number): void;
  // Moving average: avg[len] = alpha·avg + (1 − alpha)·x
  ema(avg: FloatArray, x: FloatArray, len: number, alpha: number): void;
  // Σ x² over len elements, accumulated in float64 (the L2 term of the cost)
  sumSquares(x: FloatArray, len: number): number;
}
