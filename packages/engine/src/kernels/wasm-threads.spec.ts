// The threaded WebAssembly kernel must compute exactly what the one-thread kernel computes: its GEMMs
// and a whole training run, bit for bit, on shapes that the split cuts (and odd ones it cuts unevenly).
import { describe, expect, it } from 'vitest';
import { JITTER_PARAMS, type FloatArray, type Kernel } from '../kernel.js';
import { createRng, randInt, uniform, type Rng } from '../rng.js';
import { syntheticDataset } from '../synthetic.js';
import { train, type Dataset, type TrainConfig } from '../train.js';
import { MIN_SPLIT_ELEMENTS, splitGemm, splitRange } from './gemm-split.js';
import { createKernel } from './registry.js';
import { availableWasmKernelIds, createWasmKernel, WASM_SIMD_ID, type WasmKernel } from './wasm.js';

const ids = availableWasmKernelIds();
const GEMMS = ['gemmNT', 'gemmNN', 'gemmTN'] as const;
// The network's first-layer products, and odd shapes whose cuts leave ragged edge tiles on each side
const SHAPES: [number, number, number][] = [[100, 50, 3072], [50, 3072, 100], [100, 3072, 50], [130, 521, 300], [9, 1031, 257], [257, 9, 1031], [67, 67, 300]];

function filled(k: Kernel, rng: Rng, len: number): FloatArray {
  const a = k.alloc(len);
  for (let i = 0; i < len; i++) a[i] = 2 * uniform(rng) - 1;
  return a;
}

function firstDifference(x: FloatArray, y: FloatArray): number {
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return -1;
}

describe.each(ids)('%s with helper threads', (id) => {
  it('every GEMM gives the one-thread bits on 2 and 3 threads', () => {
    const one = createWasmKernel(id);
    for (const threads of [2, 3]) {
      const many = createWasmKernel(id, { threads });
      try {
        const rng = createRng(threads);
        for (const [M, N, K] of SHAPES) {
          expect(splitGemm(M, N, K, threads).length, `${M}x${N}x${K} is split`).toBeGreaterThan(1);
          for (const op of GEMMS) {
            const la = M * K, lb = N * K;
            const a = filled(many, rng, la), b = filled(many, rng, lb);
            const a1 = one.alloc(la), b1 = one.alloc(lb);
            a1.set(a);
            b1.set(b);
            const out = many.alloc(M * N), out1 = one.alloc(M * N);
            many[op](out, a, b, M, N, K);
            one[op](out1, a1, b1, M, N, K);
            const i = firstDifference(out, out1);
            expect(i, `${op} ${M}x${N}x${K} on ${threads} threads: out[${i}] = ${out[i]}, one thread ${out1[i]}`).toBe(-1);
          }
        }
      } finally {
        many.dispose();
      }
    }
  });

  it('the SGD step gives the one-thread bits on 2 threads (W1-sized and ragged lengths)', () => {
    const one = createWasmKernel(id), two = createWasmKernel(id, { threads: 2 });
    try {
      const rng = createRng(8);
      for (const len of [153_600, 70_001]) {
        expect(splitRange(len, 2).length, `${len} is split`).toBe(2);
        const p = filled(two, rng, len), g = filled(two, rng, len);
        const p1 = one.alloc(len), g1 = one.alloc(len);
        p1.set(p);
        g1.set(g);
        two.sgdStep(p, g, len, 0.037, 0.005);
        one.sgdStep(p1, g1, len, 0.037, 0.005);
        const i = firstDifference(p, p1);
        expect(i, `sgdStep ${len}: param[${i}] = ${p[i]}, one thread ${p1[i]}`).toBe(-1);
      }
    } finally {
      two.dispose();
    }
  });

  it('jitters a batch of images on 2 and 3 threads to the one-thread bits (uneven blocks of whole images)', () => {
    const one = createWasmKernel(id);
    for (const threads of [2, 3]) {
      const many = createWasmKernel(id, { threads });
      try {
        const rng = createRng(30 + threads);
        for (const [n, C, H, W] of [[101, 3, 32, 32], [100, 1, 28, 28], [29, 3, 31, 29]]) {
          const d = C * H * W;
          expect(n * d, `${n} images of ${d} are split`).toBeGreaterThanOrEqual(MIN_SPLIT_ELEMENTS);
          const xs = filled(many, rng, n * d), x1 = one.alloc(n * d);
          x1.set(xs);
          const params = many.alloc(n * JITTER_PARAMS);
          for (let i = 0; i < n; i++) params.set([i % 2, randInt(rng, 9) - 4, randInt(rng, 9) - 4, 0.8 + 0.4 * uniform(rng), 0.2 * uniform(rng) - 0.1], i * JITTER_PARAMS);
          const mean = filled(many, rng, d), std = many.alloc(d);
          for (let j = 0; j < d; j++) std[j] = 0.1 + uniform(rng);
          const copy = (a: FloatArray) => {
            const b = one.alloc(a.length);
            b.set(a);
            return b;
          };
          one.jitterImages(x1, copy(params), copy(mean), copy(std), one.alloc(d), n, C, H, W);
          many.jitterImages(xs, params, mean, std, many.alloc(d), n, C, H, W);
          const i = firstDifference(xs, x1);
          expect(i, `jitterImages ${n}x${C}x${H}x${W} on ${threads} threads: x[${i}] = ${xs[i]}, one thread ${x1[i]}`).toBe(-1);
        }
      } finally {
        many.dispose();
      }
    }
  });

  it('gathers a mini-batch from a shared split on 2 threads: exact rows, any offset, a second split', () => {
    const k = createWasmKernel(id, { threads: 2 });
    try {
      const d = 3072, rows = 300, n = 101; // 101 · 3072 elements: split into rows 0–49 and 50–100
      // like the pipeline's prepared data: floats at an offset in a SharedArrayBuffer whose length is
      // not a multiple of 4 (bytes of labels follow)
      const splitOf = (seed: number) => {
        const sab = new SharedArrayBuffer(64 + rows * d * 4 + 3);
        const x = new Float32Array(sab, 64, rows * d);
        const rng = createRng(seed);
        for (let i = 0; i < x.length; i++) x[i] = uniform(rng);
        return x;
      };
      const order = Uint32Array.from({ length: rows }, (_, i) => (i * 131 + 17) % rows);
      const out = k.alloc(n * d);
      for (const x of [splitOf(1), splitOf(2)]) {
        for (const [how, o, start] of [['shuffled', order, 5], ['contiguous', null, 7]] as const) {
          out.fill(NaN);
          k.gatherRows(out, x, o, start, n, d);
          for (let i = 0; i < n; i++) {
            const r = o === null ? start + i : o[start + i];
            const j = firstDifference(out.subarray(i * d, i * d + d), x.subarray(r * d, r * d + d));
            if (j !== -1) expect.fail(`${how}: batch row ${i} (split row ${r}) differs at column ${j}`);
          }
        }
      }
    } finally {
      k.dispose();
    }
  });

  // d = 400, batch 100, 40 hidden: the first layer's products have 1.6 M multiply-adds, above the split threshold
  const data = syntheticDataset({ d: 400, K: 4, train: 300, validation: 100, test: 100, seed: 9, separation: 0.3 });
  const base: TrainConfig = {
    hidden: [40, 20], batchNorm: true, init: { kind: 'he' }, lambda: 0.005,
    etaMin: 1e-5, etaMax: 0.1, batch: 100, ns: 6, cycles: 1, seed: 4, pointsPerCycle: 2,
  };
  // The training result on `threads` threads, every number as the hex of its bits.
  const trained = (d: Dataset, config: TrainConfig, threads: number) => {
    const k = createWasmKernel(id, { threads });
    try {
      return JSON.stringify(train(k, d, config).result, (_key, v: unknown) => (typeof v === 'number' ? v.toString(16) : v));
    } finally {
      k.dispose();
    }
  };

  it('trains to the one-thread result bit for bit (first layer split on every batch)', () => {
    expect(splitGemm(100, 40, 400, 2).length).toBe(2);
    const single = trained(data, base, 1);
    expect(single).toContain('"diverged":false');
    expect(trained(data, base, 2), 'threads: 2 changed the training result').toBe(single);
  });

  it('trains with every training option at once to the one-thread result bit for bit', () => {
    // 3×16×16 "images" with standardisation statistics: 100 images of 768 values are above the split
    // threshold, so the jitter is shared between the threads too; batch norm after the ReLU, dropout
    const images: Dataset = {
      ...syntheticDataset({ d: 768, K: 4, train: 300, validation: 100, test: 100, seed: 9, separation: 0.3 }),
      image: { channels: 3, height: 16, width: 16 },
      mean: Float32Array.from({ length: 768 }, (_, i) => 0.3 + (i % 7) / 20),
      std: Float32Array.from({ length: 768 }, (_, i) => 0.2 + (i % 5) / 20),
    };
    expect(100 * 768).toBeGreaterThanOrEqual(MIN_SPLIT_ELEMENTS);
    const config: TrainConfig = { ...base, bnPlacement: 'after', dropout: 0.3, jitterFlip: true, jitterShift: 2, jitterBrightness: 0.1, jitterContrast: 0.2 };
    const single = trained(images, config, 1);
    expect(single).toContain('"diverged":false');
    expect(trained(images, config, 2), 'threads: 2 changed the training result').toBe(single);
    expect(single).not.toBe(trained(images, base, 1));
  });
});

describe('helper threads: life cycle and errors', () => {
  it('after dispose the kernel computes the same bits on its own thread', () => {
    const k = createWasmKernel(WASM_SIMD_ID, { threads: 2 });
    const rng = createRng(1);
    const a = filled(k, rng, 100 * 3072), b = filled(k, rng, 50 * 3072);
    const before = k.alloc(100 * 50), after = k.alloc(100 * 50);
    k.gemmNT(before, a, b, 100, 50, 3072);
    k.dispose();
    k.dispose();
    k.gemmNT(after, a, b, 100, 50, 3072);
    expect(firstDifference(before, after)).toBe(-1);
  });

  it('a helper that traps on its block is reported, and the kernel keeps working', () => {
    // 4 MiB of memory; a holds 100 rows of 5000 floats near its end, so rows 100–199 (the helper's
    // block when M = 200) lie beyond the memory while this thread's rows 0–99 are fine
    const k = createWasmKernel(WASM_SIMD_ID, { threads: 2, memoryBytes: 4 << 20 });
    try {
      const K = 5000;
      const b = k.alloc(8 * K), out = k.alloc(200 * 8);
      const a = k.alloc(100 * K);
      expect(a.byteOffset + 200 * K * 4).toBeGreaterThan(4 << 20);
      expect(splitGemm(200, 8, K, 2)).toEqual([{ i0: 0, i1: 100, j0: 0, j1: 8 }, { i0: 100, i1: 200, j0: 0, j1: 8 }]);
      expect(() => k.gemmNT(out, a, b, 200, 8, K)).toThrow(/gemmNT 200x8x5000: 1 helper thread\(s\) trapped on their part/);
      expect(() => k.gemmNT(out, a, b, 100, 8, K)).not.toThrow();
    } finally {
      k.dispose();
    }
  });

  it('rejects a thread count that is not a positive integer, and threads on a one-thread kernel', () => {
    expect(() => createWasmKernel(WASM_SIMD_ID, { threads: 0 })).toThrow(/threads must be an integer from 1 to 64, got 0/);
    expect(() => createWasmKernel(WASM_SIMD_ID, { threads: 1.5 })).toThrow(/threads must be an integer/);
    expect(() => createKernel('ts-f32', { threads: 2 })).toThrow(/kernel 'ts-f32' computes on one thread \(asked for 2\)/);
    // the registry hands the thread count to the WebAssembly kernel
    const k = createKernel(WASM_SIMD_ID, { threads: 2 }) as WasmKernel;
    expect([k.id, k.threads]).toEqual([WASM_SIMD_ID, 2]);
    k.dispose();
  });
});
