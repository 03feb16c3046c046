import { describe, expect, it } from 'vitest';
import { blockOffsets, leadingDims, MIN_SPLIT_ELEMENTS, MIN_SPLIT_MACS, splitGemm, splitRange, type GemmOp } from './gemm-split.js';

describe('splitGemm', () => {
  const shapes: [number, number, number][] = [[100, 50, 3072], [50, 3072, 100], [100, 3072, 50], [130, 521, 300], [9, 1031, 700], [1031, 9, 700], [5, 5, 100000]];

  for (const [M, N, K] of shapes) {
    for (const threads of [2, 3, 8]) {
      it(`${M}x${N}x${K} on ${threads} threads: blocks cover out once, cut at tile edges, balanced`, () => {
        const blocks = splitGemm(M, N, K, threads);
        expect(blocks.length).toBeGreaterThanOrEqual(1);
        expect(blocks.length).toBeLessThanOrEqual(threads);
        const owner = new Int32Array(M * N).fill(-1);
        blocks.forEach((b, t) => {
          expect(b.i0 < b.i1 && b.j0 < b.j1, `block ${t} ${JSON.stringify(b)} is empty`).toBe(true);
          for (let i = b.i0; i < b.i1; i++) {
            for (let j = b.j0; j < b.j1; j++) {
              if (owner[i * N + j] !== -1) expect.fail(`out[${i},${j}] in blocks ${owner[i * N + j]} and ${t}`);
              owner[i * N + j] = t;
            }
          }
          // cuts inside out fall on the micro-kernel's 4-row / 8-column tile edges
          for (const [v, end, unit] of [[b.i0, M, 4], [b.i1, M, 4], [b.j0, N, 8], [b.j1, N, 8]] as const) {
            if (v !== 0 && v !== end) expect(v % unit, `cut at ${v} is not a multiple of ${unit}`).toBe(0);
          }
        });
        expect(owner.indexOf(-1), 'an element no block computes').toBe(-1);
        if (blocks.length > 1) {
          const sizes = blocks.map((b) => (b.i1 - b.i0) * (b.j1 - b.j0));
          const unit = blocks[0].j1 - blocks[0].j0 === N ? 4 * N : 8 * M;
          expect(Math.max(...sizes) - Math.min(...sizes), `block sizes ${sizes}`).toBeLessThanOrEqual(unit);
        }
      });
    }
  }

  it('cuts across the larger operand: rows when M ≥ N, columns otherwise', () => {
    expect(splitGemm(100, 50, 3072, 2)).toEqual([{ i0: 0, i1: 48, j0: 0, j1: 50 }, { i0: 48, i1: 100, j0: 0, j1: 50 }]);
    expect(splitGemm(50, 3072, 100, 2)).toEqual([{ i0: 0, i1: 50, j0: 0, j1: 1536 }, { i0: 0, i1: 50, j0: 1536, j1: 3072 }]);
  });

  it('keeps small products, one thread and single-tile shapes whole', () => {
    const whole = (M: number, N: number) => [{ i0: 0, i1: M, j0: 0, j1: N }];
    expect(splitGemm(100, 50, 50, 2), '100·50·50 multiply-adds are below the threshold').toEqual(whole(100, 50));
    expect(MIN_SPLIT_MACS).toBeGreaterThan(100 * 50 * 50);
    expect(splitGemm(100, 50, 3072, 1)).toEqual(whole(100, 50));
    expect(splitGemm(4, 3, 1 << 20, 2), 'one 4-row tile cannot be cut').toEqual(whole(4, 3));
  });
});

describe('blockOffsets', () => {
  // Element (i, k) of A, (k, j) of B and (i, j) of out, by the block's offset plus the local index with
  // the whole product's leading dimensions, must be the whole product's element (i0+i, …).
  const cases: [GemmOp, number, number, number][] = [['NT', 10, 7, 5], ['NN', 10, 7, 5], ['TN', 10, 7, 5]];
  for (const [op, M, N, K] of cases) {
    it(`${op}: a block's offsets address the same elements as the whole product`, () => {
      const { lda, ldb, ldc } = leadingDims(op, M, N, K);
      const A = (i: number, k: number) => (op === 'TN' ? k * lda + i : i * lda + k);
      const B = (k: number, j: number) => (op === 'NT' ? j * ldb + k : k * ldb + j);
      for (const block of [{ i0: 4, i1: 10, j0: 0, j1: N }, { i0: 0, i1: M, j0: 3, j1: N }]) {
        const o = blockOffsets(op, block, lda, ldb, ldc);
        for (let i = 0; i < block.i1 - block.i0; i++) {
          for (let j = 0; j < block.j1 - block.j0; j++) {
            const at = `block ${JSON.stringify(block)}, local (${i}, ${j})`;
            if (o.out / 4 + i * ldc + j !== (block.i0 + i) * ldc + block.j0 + j) expect.fail(`out: ${at}`);
            for (let k = 0; k < K; k++) {
              if (o.a / 4 + A(i, k) !== A(block.i0 + i, k)) expect.fail(`a: ${at}, k ${k}`);
              if (o.b / 4 + B(k, j) !== B(k, block.j0 + j)) expect.fail(`b: ${at}, k ${k}`);
            }
          }
        }
      }
    });
  }
});

describe('splitRange', () => {
  for (const [len, threads] of [[153_600, 2], [70_001, 2], [70_001, 3], [1 << 20, 8]] as [number, number][]) {
    it(`${len} elements on ${threads} threads: consecutive ranges that cover [0, len), cut at multiples of 16`, () => {
      const parts = splitRange(len, threads);
      expect(parts.length).toBe(threads);
      expect(parts[0][0]).toBe(0);
      expect(parts.at(-1)![1]).toBe(len);
      for (let t = 1; t < parts.length; t++) {
        expect(parts[t][0], `range ${t} starts where ${t - 1} ends`).toBe(parts[t - 1][1]);
        expect(parts[t][0] % 16).toBe(0);
      }
      const sizes = parts.map(([a, b]) => b - a);
      expect(Math.max(...sizes) - Math.min(...sizes), `sizes ${sizes}`).toBeLessThanOrEqual(16);
    });
  }

  it('keeps short passes and one thread whole', () => {
    expect(splitRange(MIN_SPLIT_ELEMENTS - 1, 2)).toEqual([[0, MIN_SPLIT_ELEMENTS - 1]]);
    expect(splitRange(153_600, 1)).toEqual([[0, 153_600]]);
  });
});
