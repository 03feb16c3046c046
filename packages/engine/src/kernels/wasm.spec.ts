import { describe, expect, it } from 'vitest';
import { JITTER_PARAMS, type FloatArray, type Kernel } from '../kernel.js';
import { createRng, randInt, uniform, type Rng } from '../rng.js';
import { checkKernelAgainstReference, GEMM_SHAPES, IMAGE_SHAPES, ROW_SHAPES } from './conformance.js';
import { createKernel, defaultKernelId, kernelIds } from './registry.js';
import { createTsKernel } from './ts.js';
import {
  availableWasmKernelIds, createWasmKernel, relaxedMaddFuses, WASM_KERNEL_IDS, WASM_RELAXED_FMA_ID, WASM_SIMD_ID,
  wasmKernelAvailable,
} from './wasm.js';

// Node 20 on x86-64 has WASM SIMD; without it this spec has nothing to test and says so by failing.
const ids = availableWasmKernelIds();
const GEMMS = ['gemmNT', 'gemmNN', 'gemmTN'] as const;
// The network's first-layer products and shapes that cross every blocking boundary (KC 256, MC 128 in
// the plain build and 192 in the relaxed one, NC 512).
const BIG_SHAPES: [number, number, number][] = [[100, 50, 3072], [100, 3072, 50], [50, 3072, 100], [130, 521, 300], [200, 521, 300], [9, 1031, 7]];

function filled(k: Kernel, rng: Rng, len: number, lo = -1, hi = 1): FloatArray {
  const a = k.alloc(len);
  for (let i = 0; i < len; i++) a[i] = lo + (hi - lo) * uniform(rng);
  return a;
}
function copyTo(k: Kernel, x: FloatArray): FloatArray {
  const a = k.alloc(x.length);
  a.set(x);
  return a;
}
const bits = (x: FloatArray) => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);

// Where A(i,k) and B(k,j) live in the arrays of each product.
function index(op: (typeof GEMMS)[number], M: number, N: number, K: number) {
  if (op === 'gemmNT') return { la: M * K, lb: N * K, a: (i: number, k: number) => i * K + k, b: (k: number, j: number) => j * K + k };
  if (op === 'gemmNN') return { la: M * K, lb: K * N, a: (i: number, k: number) => i * K + k, b: (k: number, j: number) => k * N + j };
  return { la: K * M, lb: K * N, a: (i: number, k: number) => k * M + i, b: (k: number, j: number) => k * N + j };
}

// The independent computations the kernels must equal bit for bit: one f32 dot product per element in
// k order. Unfused (wasm-simd-f32): each product and each sum rounded to f32. Fused
// (wasm-relaxed-fma-f32), emulated: a·b of two f32 is exact in f64, so a·b + c rounds once to f64 and
// then to f32; that double rounding differs from one fused rounding only when the f64 sum lands
// exactly on an f32 tie, about once in 2²⁹ sums, and the fixed inputs of these specs have none.
function dotF32(fused: boolean, op: (typeof GEMMS)[number], a: FloatArray, b: FloatArray, M: number, N: number, K: number): Float32Array {
  const at = index(op, M, N, K);
  const out = new Float32Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let c = 0;
      for (let k = 0; k < K; k++) {
        const x = a[at.a(i, k)], y = b[at.b(k, j)];
        c = fused ? Math.fround(x * y + c) : Math.fround(c + Math.fround(x * y));
      }
      out[i * N + j] = c;
    }
  }
  return out;
}

// Every GEMM of kernel `id` on random M×N×K inputs equals dotF32, bit for bit.
function expectDotProducts(id: string, fused: boolean, M: number, N: number, K: number): void {
  const rng = createRng(M * 1000 + N + K);
  const k = createWasmKernel(id);
  for (const op of GEMMS) {
    const at = index(op, M, N, K);
    const a = filled(k, rng, at.la), b = filled(k, rng, at.lb);
    const out = k.alloc(M * N);
    k[op](out, a, b, M, N, K);
    const expected = dotF32(fused, op, a, b, M, N, K);
    const i = out.findIndex((v, j) => !Object.is(v, expected[j]));
    expect(i, `${op}: out[${i}] = ${out[i]}, ${fused ? 'fused' : 'scalar'} loop ${expected[i]}`).toBe(-1);
  }
}

describe('WebAssembly kernels: availability and registry', () => {
  it('WASM SIMD validates here, and the relaxed FMA kernel is offered exactly when the probe sees a fused madd', () => {
    expect(wasmKernelAvailable(WASM_SIMD_ID)).toBe(true);
    expect(wasmKernelAvailable(WASM_RELAXED_FMA_ID)).toBe(relaxedMaddFuses());
    expect(ids).toEqual(WASM_KERNEL_IDS.filter((id) => id !== WASM_RELAXED_FMA_ID || relaxedMaddFuses()));
  });

  it('registers the available ids and makes the fastest one the default', () => {
    for (const id of ids) {
      expect(kernelIds()).toContain(id);
      const k = createKernel(id);
      expect(k.id).toBe(id);
      expect(k.dtype).toBe('f32');
    }
    expect(defaultKernelId()).toBe(ids[0]);
  });

  it('rejects unknown ids and, where the CPU does not fuse, the FMA id with the reason', () => {
    expect(() => createWasmKernel('wasm-simd-f64')).toThrow(/unknown WebAssembly kernel 'wasm-simd-f64'/);
    if (!relaxedMaddFuses()) expect(() => createWasmKernel(WASM_RELAXED_FMA_ID)).toThrow(/not available here/);
  });
});

describe('WebAssembly kernel memory', () => {
  it('hands out zeroed, 64-byte aligned, disjoint arrays that stay attached as more are allocated', () => {
    const k = createWasmKernel(WASM_SIMD_ID, { memoryBytes: 4 << 20 });
    const first = k.alloc(5);
    first.set([1, 2, 3, 4, 5]);
    const arrays = [first];
    for (let i = 0; i < 50; i++) arrays.push(k.alloc(1000 + i));
    for (const a of arrays.slice(1)) {
      expect(a.byteOffset % 64).toBe(0);
      expect(a.every((v) => v === 0)).toBe(true);
    }
    for (let i = 1; i < arrays.length; i++) {
      expect(arrays[i].byteOffset).toBeGreaterThanOrEqual(arrays[i - 1].byteOffset + arrays[i - 1].byteLength);
    }
    expect(Array.from(first)).toEqual([1, 2, 3, 4, 5]);
    expect(first.length).toBe(5);
  });

  it('says how much was asked and how much is left when the reserve is exhausted', () => {
    const k = createWasmKernel(WASM_SIMD_ID, { memoryBytes: 2 << 20 });
    expect(() => k.alloc(1 << 20)).toThrow(/alloc\(1048576\) needs \d+ bytes but only \d+ of its 2097152 reserved bytes are left/);
    expect(k.alloc(10).length).toBe(10);
  });

  it('refuses arrays that are not its own', () => {
    const k = createWasmKernel(WASM_SIMD_ID, { memoryBytes: 2 << 20 });
    const other = createWasmKernel(WASM_SIMD_ID, { memoryBytes: 2 << 20 });
    const x = k.alloc(4);
    expect(() => k.reluForward(new Float32Array(4), 4)).toThrow(/not allocated by its alloc/);
    expect(() => k.reluForward(other.alloc(4), 4)).toThrow(/not allocated by its alloc/);
    expect(() => k.sumSquares(x, 4)).not.toThrow();
  });
});

describe.each(ids)('%s conformance', (id) => {
  it('agrees with ts-f64 on every op on odd shapes (conformance helper)', () => {
    const failures = checkKernelAgainstReference(createKernel(id), createTsKernel('f64'));
    expect(failures, failures.slice(0, 5).join('\n')).toEqual([]);
  });

  it('agrees with ts-f64 on the network GEMM shapes and across the blocking boundaries', () => {
    const rng = createRng(11);
    const k = createKernel(id);
    const ref = createTsKernel('f64');
    for (const [M, N, K] of BIG_SHAPES) {
      for (const op of GEMMS) {
        const at = index(op, M, N, K);
        const a = filled(k, rng, at.la), b = filled(k, rng, at.lb);
        const out = k.alloc(M * N), rout = ref.alloc(M * N);
        k[op](out, a, b, M, N, K);
        ref[op](rout, copyTo(ref, a), copyTo(ref, b), M, N, K);
        // rounding error of an f32 dot product ≤ K·2⁻²⁴·Σ|a·b| (in practice ~√K·2⁻²⁴·Σ|a·b|); a wrong
        // element is off by about its own size, ~√K·Σ|a·b|/K
        let worst = 0, where = -1;
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let scale = 0;
            for (let kk = 0; kk < K; kk++) scale += Math.abs(a[at.a(i, kk)] * b[at.b(kk, j)]);
            const e = Math.abs(out[i * N + j] - rout[i * N + j]) / (scale * 1e-5 + 1e-30);
            if (!(e <= worst)) { worst = e; where = i * N + j; }
          }
        }
        expect(worst, `${op} ${M}x${N}x${K}: out[${where}] = ${out[where]}, ts-f64 ${rout[where]} (error / (1e-5·Σ|ab|))`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('is deterministic: two kernels, the same inputs, the same bytes', () => {
    const run = () => {
      const rng = createRng(5);
      const k = createKernel(id);
      const outs: Uint8Array[] = [];
      for (const [M, N, K] of [[33, 17, 65], [100, 50, 300]] as const) {
        for (const op of GEMMS) {
          const at = index(op, M, N, K);
          const out = k.alloc(M * N);
          k[op](out, filled(k, rng, at.la), filled(k, rng, at.lb), M, N, K);
          outs.push(bits(out).slice());
        }
      }
      return outs;
    };
    expect(run()).toEqual(run());
  });
});

describe('wasm-simd-f32 is the plain f32 dot product, bit for bit', () => {
  const shapes: [number, number, number][] = [...GEMM_SHAPES, [100, 50, 3072], [130, 521, 300], [50, 600, 257]];
  for (const [M, N, K] of shapes) {
    it(`${M}x${N}x${K}: each GEMM equals the scalar f32 loop in k order`, () => expectDotProducts(WASM_SIMD_ID, false, M, N, K));
  }

  it('K = 0 gives zeros, and writes nothing outside M×N', () => {
    const k = createWasmKernel(WASM_SIMD_ID);
    const out = k.alloc(7);
    out.fill(9);
    k.gemmNT(out, k.alloc(1), k.alloc(1), 2, 3, 0);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0, 9]);
  });
});

describe.runIf(ids.includes(WASM_RELAXED_FMA_ID))('wasm-relaxed-fma-f32', () => {
  // 6×8 and 4×8 tiles, row remainders 1–5, the MC = 192 and KC = 256 boundaries
  for (const [M, N, K] of [[100, 50, 3072], [50, 3072, 100], [7, 13, 5], [203, 67, 300], [11, 9, 257]] as [number, number, number][]) {
    it(`${M}x${N}x${K}: each GEMM equals the fused f32 dot product in k order, bit for bit`, () =>
      expectDotProducts(WASM_RELAXED_FMA_ID, true, M, N, K));
  }

  it('really fuses: its GEMM differs in the last bits from the unfused one on the same inputs', () => {
    const rng = createRng(3);
    const [M, N, K] = [20, 16, 200];
    const r = createWasmKernel(WASM_RELAXED_FMA_ID), s = createWasmKernel(WASM_SIMD_ID);
    const a = filled(r, rng, M * K), b = filled(r, rng, N * K);
    const out = r.alloc(M * N), sout = s.alloc(M * N);
    r.gemmNT(out, a, b, M, N, K);
    s.gemmNT(sout, copyTo(s, a), copyTo(s, b), M, N, K);
    let differ = 0;
    for (let i = 0; i < M * N; i++) if (out[i] !== sout[i]) differ++;
    expect(differ, 'elements where fused and unfused differ').toBeGreaterThan(0);
  });
});

// The ops other than GEMM compute in f64 in ts.ts's order and round once: the same bits as ts-f32,
// except softmax, whose exp and log come from a different libm (AssemblyScript's vs V8's).
describe.each(ids)('%s elementwise ops equal ts-f32 bit for bit', (id) => {
  const eq = (what: string, x: FloatArray, r: FloatArray, len: number) => {
    for (let i = 0; i < len; i++) {
      if (!Object.is(x[i], r[i])) expect.fail(`${what}[${i}] = ${x[i]}, ts-f32 ${r[i]}`);
    }
  };
  for (const [n, m] of [...ROW_SHAPES, [100, 50], [100, 10], [9, 8], [6, 12]] as [number, number][]) {
    it(`${n}x${m}`, () => {
      const rng = createRng(n * 100 + m);
      const k = createKernel(id);
      const t = createTsKernel('f32');
      const pair = (len: number, lo = -1, hi = 1): [FloatArray, FloatArray] => {
        const x = filled(k, rng, len, lo, hi);
        return [x, copyTo(t, x)];
      };
      const eps = 1e-5;
      const [x, rx] = pair(n * m);
      const [v, rv] = pair(m);
      k.addRow(x, v, n, m);
      t.addRow(rx, rv, n, m);
      eq('addRow', x, rx, n * m);
      const [cs, rcs] = pair(m);
      k.colSum(cs, x, n, m);
      t.colSum(rcs, rx, n, m);
      eq('colSum', cs, rcs, m);

      const [s, rs] = pair(n * m, -2, 3);
      const [gamma, rgamma] = pair(m, 0.5, 1.5);
      const [beta, rbeta] = pair(m, -0.5, 0.5);
      const [out, rout] = pair(n * m);
      const [shat, rshat] = pair(n * m);
      const [mean, rmean] = pair(m);
      const [variance, rvariance] = pair(m);
      k.batchNormForward(out, shat, mean, variance, s, gamma, beta, n, m, eps);
      t.batchNormForward(rout, rshat, rmean, rvariance, rs, rgamma, rbeta, n, m, eps);
      eq('batchNormForward mean', mean, rmean, m);
      eq('batchNormForward variance', variance, rvariance, m);
      eq('batchNormForward shat', shat, rshat, n * m);
      eq('batchNormForward out', out, rout, n * m);
      k.batchNormInference(out, s, mean, variance, gamma, beta, n, m, eps);
      t.batchNormInference(rout, rs, rmean, rvariance, rgamma, rbeta, n, m, eps);
      eq('batchNormInference out', out, rout, n * m);
      const [g, rg] = pair(n * m);
      const [dgamma, rdgamma] = pair(m);
      const [dbeta, rdbeta] = pair(m);
      k.batchNormBackward(g, dgamma, dbeta, g, shat, variance, gamma, n, m, eps);
      t.batchNormBackward(rg, rdgamma, rdbeta, rg, rshat, rvariance, rgamma, n, m, eps);
      eq('batchNormBackward dgamma', dgamma, rdgamma, m);
      eq('batchNormBackward dbeta', dbeta, rdbeta, m);
      eq('batchNormBackward ds', g, rg, n * m);

      k.reluForward(out, n * m);
      t.reluForward(rout, n * m);
      eq('reluForward', out, rout, n * m);
      k.reluBackward(g, out, n * m);
      t.reluBackward(rg, rout, n * m);
      eq('reluBackward', g, rg, n * m);

      const [p, rp] = pair(n * m, -0.3, 0.3);
      const [grad, rgrad] = pair(n * m, -0.5, 0.5);
      k.sgdStep(p, grad, n * m, 0.07, 0.005);
      t.sgdStep(rp, rgrad, n * m, 0.07, 0.005);
      eq('sgdStep', p, rp, n * m);
      k.ema(p, grad, n * m, 0.9);
      t.ema(rp, rgrad, n * m, 0.9);
      eq('ema', p, rp, n * m);
      expect(k.sumSquares(p, n * m)).toBe(t.sumSquares(rp, n * m));

      // softmax: probabilities within a few f32 ulps; the argmax count exact
      const [logits, rlogits] = pair(n * m, -4, 4);
      const y = k.alloc(n * m), ry = t.alloc(n * m);
      for (let i = 0; i < n; i++) y[i * m + Math.floor(uniform(rng) * m)] = 1;
      ry.set(y);
      const [sp, rsp] = pair(n * m);
      const loss = k.softmaxCrossEntropy(sp, logits, logits, y, n, m);
      const rloss = t.softmaxCrossEntropy(rsp, rlogits, rlogits, ry, n, m);
      expect(Math.abs(loss - rloss), `loss ${loss} vs ${rloss}`).toBeLessThanOrEqual(1e-12 * (Math.abs(rloss) + n));
      for (let i = 0; i < n * m; i++) {
        expect(Math.abs(sp[i] - rsp[i]), `p[${i}]`).toBeLessThanOrEqual(2 ** -22 * Math.abs(rsp[i]) + 1e-30);
        expect(Math.abs(logits[i] - rlogits[i]), `ds[${i}]`).toBeLessThanOrEqual(2 ** -21 * (Math.abs(rlogits[i]) + 1 / n));
      }
      expect(k.countCorrect(sp, y, n, m)).toBe(t.countCorrect(rsp, ry, n, m));
    });
  }
});

// The ops of the training options (dropout's mask, the images' jitter) likewise equal ts-f32 bit for bit.
describe.each(ids)('%s dropout mask and image jitter equal ts-f32 bit for bit', (id) => {
  for (const [n, C, H, W] of [...IMAGE_SHAPES, [3, 3, 32, 32], [2, 1, 28, 28]] as [number, number, number, number][]) {
    it(`${n} images ${C}x${H}x${W}`, () => {
      const rng = createRng(n * 1000 + C * 100 + H + W);
      const k = createKernel(id);
      const t = createTsKernel('f32');
      const d = C * H * W;
      const x = filled(k, rng, n * d, -2, 2), rx = copyTo(t, x);
      const params = k.alloc(n * JITTER_PARAMS);
      for (let i = 0; i < n; i++) {
        params.set([i % 2, randInt(rng, 2 * W + 1) - W, randInt(rng, 2 * H + 1) - H, 0.5 + uniform(rng), 0.4 * uniform(rng) - 0.2], i * JITTER_PARAMS);
      }
      const mean = filled(k, rng, d, 0.2, 0.8), std = filled(k, rng, d, 0.05, 0.5);
      k.jitterImages(x, params, mean, std, k.alloc(d), n, C, H, W);
      t.jitterImages(rx, copyTo(t, params), copyTo(t, mean), copyTo(t, std), t.alloc(d), n, C, H, W);
      const i = x.findIndex((v, j) => !Object.is(v, rx[j]));
      expect(i, `jitterImages x[${i}] = ${x[i]}, ts-f32 ${rx[i]}`).toBe(-1);

      const mask = k.alloc(n * d);
      for (let j = 0; j < n * d; j++) mask[j] = uniform(rng) < 0.4 ? 0 : 1 / 0.6;
      k.applyMask(x, mask, n * d);
      t.applyMask(rx, copyTo(t, mask), n * d);
      const j = x.findIndex((v, q) => !Object.is(v, rx[q]));
      expect(j, `applyMask x[${j}] = ${x[j]}, ts-f32 ${rx[j]}`).toBe(-1);
    });
  }
});
