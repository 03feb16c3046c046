// How the threaded WebAssembly kernel shares one GEMM between threads: each thread computes a block of
// whole rows or whole columns of out, cut at the micro-kernel's tile edges (4 rows, 8 columns). An
// element's dot product is the same whatever block holds it, so the split never changes a bit; it only
// decides how the work (and the packing of the operands) is shared.

export type GemmOp = 'NT' | 'NN' | 'TN';

/** One thread's share: out[i0:i1, j0:j1] of out[M,N]. */
export interface GemmBlock {
  i0: number;
  i1: number;
  j0: number;
  j1: number;
}

/** Below this many multiply-adds a product stays on one thread (waking a helper costs ~10–50 µs). */
export const MIN_SPLIT_MACS = 1 << 20;
const TILE_ROWS = 4;
const TILE_COLS = 8;

/**
 * Splits out[M,N] = A[M,K]·B[K,N] into at most `threads` blocks of nearly equal work. The cut runs
 * across the larger operand, so each thread packs only its part of it and all of the smaller one:
 * rows (A's) when M ≥ N, else columns (B's). One block when the product is small or too narrow.
 */
export function splitGemm(M: number, N: number, K: number, threads: number): GemmBlock[] {
  const whole = [{ i0: 0, i1: M, j0: 0, j1: N }];
  if (threads <= 1 || M * N * K < MIN_SPLIT_MACS) return whole;
  const byRows = M >= N;
  const extent = byRows ? M : N;
  const unit = byRows ? TILE_ROWS : TILE_COLS;
  const units = Math.ceil(extent / unit);
  const parts = Math.min(threads, units);
  if (parts <= 1) return whole;
  const blocks: GemmBlock[] = [];
  for (let t = 0; t < parts; t++) {
    const from = Math.min(extent, Math.floor((t * units) / parts) * unit);
    const to = Math.min(extent, Math.floor(((t + 1) * units) / parts) * unit);
    blocks.push(byRows ? { i0: from, i1: to, j0: 0, j1: N } : { i0: 0, i1: M, j0: from, j1: to });
  }
  return blocks;
}

/** Leading dimensions (elements per stored row) of a, b and out for the whole product. */
export function leadingDims(op: GemmOp, M: number, N: number, K: number): { lda: number; ldb: number; ldc: number } {
  return {
    lda: op === 'TN' ? M : K, // a[K,M] for TN, else a[M,K]
    ldb: op === 'NT' ? K : N, // b[N,K] for NT, else b[K,N]
    ldc: N,
  };
}

/** Byte offsets of a block's corner in out, a and b (f32 elements), for the same leading dimensions. */
export function blockOffsets(op: GemmOp, block: GemmBlock, lda: number, ldb: number, ldc: number): { out: number; a: number; b: number } {
  const { i0, j0 } = block;
  return {
    out: 4 * (i0 * ldc + j0),
    a: 4 * (op === 'TN' ? i0 : i0 * lda),
    b: 4 * (op === 'NT' ? j0 * ldb : j0),
  };
}

/** Below this many elements an elementwise pass stays on one thread. */
export const MIN_SPLIT_ELEMENTS = 1 << 16;

/**
 * Splits [0, len) into at most `threads` ranges of nearly equal length, cut at multiples of 16
 * elements (a 64-byte cache line of f32); one range below MIN_SPLIT_ELEMENTS. Elementwise passes give
 * each element the same arithmetic wherever it is cut.
 */
export function splitRange(len: number, threads: number): [number, number][] {
  if (threads <= 1 || len < MIN_SPLIT_ELEMENTS) return [[0, len]];
  const units = Math.ceil(len / 16);
  const parts: [number, number][] = [];
  for (let t = 0; t < threads; t++) {
    const from = Math.min(len, Math.floor((t * units) / threads) * 16);
    const to = Math.min(len, Math.floor(((t + 1) * units) / threads) * 16);
    if (to > from) parts.push([from, to]);
  }
  return parts;
}
