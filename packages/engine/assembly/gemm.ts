// f32 GEMMs in WebAssembly SIMD, blocked like a BLAS (GotoBLAS loop order): per (KC × NC) block B is
// packed into panels of 8 columns and per (MC × KC) block A into panels of MR rows, both zero-padded,
// then an MR×8 register tile runs over the panels with the B panel held in L1. Pointers are byte
// offsets in linear memory.
//
// Every output element is one dot product accumulated in k order, in f32, starting from 0: a later K
// block reloads the tile it stored. So the blocking constants never change a bit of the result, and the
// plain SIMD build equals the scalar loop `c = fround(c + fround(a·b))`, which the specs check exactly.
// The relaxed build differs only in `madd`: `f32x4.relaxed_madd` (fused on CPUs with FMA).

// Rows per A panel: 6 in the relaxed build, whose 6×8 tile (12 accumulators + 2 B vectors + 1 splat = the
// 15 xmm registers V8 allocates) runs 6% faster than 4×8 in L1; 4 in the plain build, where mul + add
// needs one more register and 6×8 spills (29 vs 46 GFLOP/s).
const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;
const KC: i32 = 256; // k per block: a B panel (8 KiB) stays in L1
const MC: i32 = 32 * MR; // rows per A block (≤ 192 KiB, L2)
const NC: i32 = 512; // columns per B block (≤ 512 KiB, L2)

// Scratch set by the host once: the packed B block, the packed A block and one MR×8 tile for edge tiles.
let packedB: usize = 0;
let packedA: usize = 0;
let tile: usize = 0;

/** Bytes of scratch the host must reserve and pass to setScratch. */
export function scratchBytes(): i32 {
  return (KC * NC + MC * KC + MR * 8) * 4;
}

export function setScratch(ptr: usize): void {
  packedB = ptr;
  packedA = packedB + <usize>(KC * NC * 4);
  tile = packedA + <usize>(MC * KC * 4);
}

// c = a·b + c (lanes); fused or not is the only difference between the two builds
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// The exported products take leading dimensions (elements per row of each array as stored), so a host
// thread can hand another thread a block of rows or columns of the same product: out's rows [i0, i1)
// are gemm(out + i0·ldc, a + i0·lda (or + i0 when a is transposed), b, i1 − i0, N, K, …), and likewise
// for columns. Each element's sum is the same whatever the block, so splitting never changes a bit.

// out[M,N] (row stride ldc) = a[M,K] (lda) · b[N,K]ᵀ (ldb)
export function gemmNT(out: usize, a: usize, b: usize, M: i32, N: i32, K: i32, lda: i32, ldb: i32, ldc: i32): void {
  gemm(out, a, b, M, N, K, lda, ldb, ldc, false, true);
}

// out[M,N] (ldc) = a[M,K] (lda) · b[K,N] (ldb)
export function gemmNN(out: usize, a: usize, b: usize, M: i32, N: i32, K: i32, lda: i32, ldb: i32, ldc: i32): void {
  gemm(out, a, b, M, N, K, lda, ldb, ldc, false, false);
}

// out[M,N] (ldc) = a[K,M]ᵀ (lda) · b[K,N] (ldb)
export function gemmTN(out: usize, a: usize, b: usize, M: i32, N: i32, K: i32, lda: i32, ldb: i32, ldc: i32): void {
  gemm(out, a, b, M, N, K, lda, ldb, ldc, true, false);
}

// out[M,N] = A[M,K] · B[K,N] where A(i,k) = aT ? a[k·lda+i] : a[i·lda+k] and B(k,j) = bT ? b[j·ldb+k] : b[k·ldb+j]
function gemm(out: usize, a: usize, b: usize, M: i32, N: i32, K: i32, lda: i32, ldb: i32, ldcElems: i32, aT: bool, bT: bool): void {
  if (M <= 0 || N <= 0) return;
  const ldc = <usize>ldcElems * 4;
  if (K <= 0) {
    for (let i = 0; i < M; i++) memory.fill(out + <usize>i * ldc, 0, <usize>N * 4);
    return;
  }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const first = pc == 0;
      if (bT) packBT(b, ldb, jc, nc, pc, kc);
      else packBN(b, ldb, jc, nc, pc, kc);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        if (aT) packAT(a, lda, ic, mc, pc, kc);
        else packAN(a, lda, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += 8) {
          const nr = min(8, nc - jr);
          const pb = packedB + <usize>(jr * kc * 4); // panel jr/8: kc × 8 floats
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pa = packedA + <usize>(ir * kc * 4); // panel ir/MR: kc × panelRows(mr) floats
            const c = out + <usize>(ic + ir) * ldc + <usize>(jc + jr) * 4;
            if (mr == panelRows(mr) && nr == 8) {
              micro(mr, pa, pb, kc, c, ldc, first);
            } else {
              if (!first) loadTile(c, ldc, mr, nr, 32);
              micro(mr, pa, pb, kc, tile, 32, first);
              storeTile(c, ldc, mr, nr, 32);
            }
          }
        }
      }
    }
  }
}

// Rows in the panel of the last mr ≤ MR rows: a remainder of ≤ 4 rows gets a 4-row panel and the 4×8 tile
// (M = 100 = 16·6 + 4, M = 50 = 8·6 + 2), more gets a zero-padded MR-row panel.
// @ts-ignore: decorator
@inline function panelRows(mr: i32): i32 {
  return mr <= 4 ? 4 : MR;
}

// Packs A(i,k) = a[i·K + k] for i in [ic, ic+mc), k in [pc, pc+kc) into panels of MR rows (MR floats per
// k; see panelRows), zero-padded, 4 k at a time with a 4×4 shuffle transpose.
function packAN(a: usize, lda: i32, ic: i32, mc: i32, pc: i32, kc: i32): void {
  const ld = <usize>lda * 4;
  let dst = packedA;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const r0 = a + (<usize>(ic + ir) * <usize>lda + <usize>pc) * 4;
    if (mr == 6) {
      const r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld, r4 = r3 + ld, r5 = r4 + ld;
      let k = 0;
      let o: usize = 0;
      for (; k + 4 <= kc; k += 4) {
        // rows 0..3 as 16 bytes at dst + k·24, rows 4, 5 as 8 bytes after them
        transpose4(dst, 24, v128.load(r0 + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o));
        const x4 = v128.load(r4 + o), x5 = v128.load(r5 + o);
        const lo = i32x4.shuffle(x4, x5, 0, 4, 1, 5), hi = i32x4.shuffle(x4, x5, 2, 6, 3, 7);
        v128.store64_lane(dst, lo, 0, 16);
        v128.store64_lane(dst, lo, 1, 40);
        v128.store64_lane(dst, hi, 0, 64);
        v128.store64_lane(dst, hi, 1, 88);
        dst += 96;
        o += 16;
      }
      for (; k < kc; k++) {
        store<f32>(dst, load<f32>(r0 + o), 0);
        store<f32>(dst, load<f32>(r1 + o), 4);
        store<f32>(dst, load<f32>(r2 + o), 8);
        store<f32>(dst, load<f32>(r3 + o), 12);
        store<f32>(dst, load<f32>(r4 + o), 16);
        store<f32>(dst, load<f32>(r5 + o), 20);
        dst += 24;
        o += 4;
      }
    } else if (mr == 4) {
      const r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
      let k = 0;
      let o: usize = 0;
      for (; k + 4 <= kc; k += 4) {
        transpose4(dst, 16, v128.load(r0 + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o));
        dst += 64;
        o += 16;
      }
      for (; k < kc; k++) {
        store<f32>(dst, load<f32>(r0 + o), 0);
        store<f32>(dst, load<f32>(r1 + o), 4);
        store<f32>(dst, load<f32>(r2 + o), 8);
        store<f32>(dst, load<f32>(r3 + o), 12);
        dst += 16;
        o += 4;
      }
    } else {
      const ldp = <usize>panelRows(mr) * 4;
      memory.fill(dst, 0, <usize>kc * ldp);
      for (let r = 0; r < mr; r++) {
        const src = r0 + <usize>r * ld;
        for (let k = 0; k < kc; k++) store<f32>(dst + <usize>k * ldp + <usize>r * 4, load<f32>(src + <usize>k * 4));
      }
      dst += <usize>kc * ldp;
    }
  }
}

// Packs A(i,k) = a[k·M + i] (a is [K,M], e.g. dS in the weight gradient) the same way: plain copies.
function packAT(a: usize, lda: i32, ic: i32, mc: i32, pc: i32, kc: i32): void {
  const ld = <usize>lda * 4;
  let dst = packedA;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    let src = a + (<usize>pc * <usize>lda + <usize>(ic + ir)) * 4;
    if (mr == 6) {
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        store<u64>(dst, load<u64>(src, 16), 16);
        src += ld;
        dst += 24;
      }
    } else if (mr == 4) {
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        src += ld;
        dst += 16;
      }
    } else {
      const ldp = <usize>panelRows(mr) * 4;
      memory.fill(dst, 0, <usize>kc * ldp);
      for (let k = 0; k < kc; k++) {
        for (let r = 0; r < mr; r++) store<f32>(dst + <usize>r * 4, load<f32>(src + <usize>r * 4));
        src += ld;
        dst += ldp;
      }
    }
  }
}

// Packs B(k,j) = b[k·N + j] for k in [pc, pc+kc), j in [jc, jc+nc) into panels of 8 columns, zero-padded.
// Row by row, not panel by panel: a panel's 32 bytes per k lie ldb·4 apart (12 KiB for N = 3072, one L1 set),
// so panel order fetched each line twice; reading b in order made TN +7%.
function packBN(b: usize, ldb: i32, jc: i32, nc: i32, pc: i32, kc: i32): void {
  const ld = <usize>ldb * 4;
  const nf = nc & ~7; // columns in full panels
  const pstride = <usize>kc * 32; // bytes per panel
  let src = b + (<usize>pc * <usize>ldb + <usize>jc) * 4;
  let row = packedB;
  for (let k = 0; k < kc; k++) {
    let s = src, d = row;
    const end = src + <usize>nf * 4;
    while (s < end) {
      v128.store(d, v128.load(s), 0);
      v128.store(d, v128.load(s, 16), 16);
      s += 32;
      d += pstride;
    }
    src += ld;
    row += 32;
  }
  if (nf < nc) {
    const nr = nc - nf;
    let dst = packedB + <usize>nf * <usize>kc * 4;
    src = b + (<usize>pc * <usize>ldb + <usize>(jc + nf)) * 4;
    memory.fill(dst, 0, pstride);
    for (let k = 0; k < kc; k++) {
      for (let j = 0; j < nr; j++) store<f32>(dst + <usize>j * 4, load<f32>(src + <usize>j * 4));
      src += ld;
      dst += 32;
    }
  }
}

// Packs B(k,j) = b[j·K + k] (b is [N,K], e.g. the weights W[m,d]) the same way: 8 rows of b, 4 k at a
// time, transposed with two 4×4 shuffle transposes.
function packBT(b: usize, ldb: i32, jc: i32, nc: i32, pc: i32, kc: i32): void {
  const ld = <usize>ldb * 4;
  let dst = packedB;
  for (let jr = 0; jr < nc; jr += 8) {
    const nr = min(8, nc - jr);
    const r0 = b + (<usize>(jc + jr) * <usize>ldb + <usize>pc) * 4;
    if (nr == 8) {
      const r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld, r4 = r3 + ld, r5 = r4 + ld, r6 = r5 + ld, r7 = r6 + ld;
      let k = 0;
      let o: usize = 0;
      for (; k + 4 <= kc; k += 4) {
        transpose4(dst, 32, v128.load(r0 + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o));
        transpose4(dst + 16, 32, v128.load(r4 + o), v128.load(r5 + o), v128.load(r6 + o), v128.load(r7 + o));
        dst += 128;
        o += 16;
      }
      for (; k < kc; k++) {
        store<f32>(dst, load<f32>(r0 + o), 0);
        store<f32>(dst, load<f32>(r1 + o), 4);
        store<f32>(dst, load<f32>(r2 + o), 8);
        store<f32>(dst, load<f32>(r3 + o), 12);
        store<f32>(dst, load<f32>(r4 + o), 16);
        store<f32>(dst, load<f32>(r5 + o), 20);
        store<f32>(dst, load<f32>(r6 + o), 24);
        store<f32>(dst, load<f32>(r7 + o), 28);
        dst += 32;
        o += 4;
      }
    } else {
      memory.fill(dst, 0, <usize>kc * 32);
      for (let j = 0; j < nr; j++) {
        const src = r0 + <usize>j * ld;
        for (let k = 0; k < kc; k++) store<f32>(dst + <usize>k * 32 + <usize>j * 4, load<f32>(src + <usize>k * 4));
      }
      dst += <usize>kc * 32;
    }
  }
}

// Rows x0..x3 (4 k each) → 4 stores of 4 columns at dst + k·stride (k = 0..3).
// @ts-ignore: decorator
@inline function transpose4(dst: usize, stride: usize, x0: v128, x1: v128, x2: v128, x3: v128): void {
  const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + stride, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

// Edge tiles go through the scratch tile (row stride ldt bytes): only the valid mr × nr part is copied.
function loadTile(c: usize, ldc: usize, mr: i32, nr: i32, ldt: usize): void {
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) store<f32>(tile + <usize>r * ldt + <usize>j * 4, load<f32>(c + <usize>r * ldc + <usize>j * 4));
  }
}

function storeTile(c: usize, ldc: usize, mr: i32, nr: i32, ldt: usize): void {
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) store<f32>(c + <usize>r * ldc + <usize>j * 4, load<f32>(tile + <usize>r * ldt + <usize>j * 4));
  }
}

// The tile for a panel of mr rows (see panelRows).
// @ts-ignore: decorator
@inline function micro(mr: i32, pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, first: bool): void {
  if (mr <= 4) micro4(pa, pb, kc, c, ldc, first);
  else micro6(pa, pb, kc, c, ldc, first);
}

// c[4,8] (row stride ldc bytes) = (first ? 0 : c) + Ap[kc,4]ᵀ · Bp[kc,8], both panels packed per k.
// Not unrolled: TurboFan hoists the loads of the unrolled steps above the FMAs and spills an accumulator
// (2× unroll, with splat loads or with shuffles: 22–25 vs 43 GFLOP/s); 8×4 and 4×12 tiles spill too.
// The loop runs on the end pointer: no counter (+4% relaxed, +7% plain).
function micro4(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, first: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (!first) {
    c00 = v128.load(c, 0); c01 = v128.load(c, 16); c += ldc;
    c10 = v128.load(c, 0); c11 = v128.load(c, 16); c += ldc;
    c20 = v128.load(c, 0); c21 = v128.load(c, 16); c += ldc;
    c30 = v128.load(c, 0); c31 = v128.load(c, 16);
    c -= 3 * ldc;
  }
  const end = pb + <usize>kc * 32;
  while (pb < end) {
    const b0 = v128.load(pb, 0), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa, 0); c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(pa, 4); c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(pa, 8); c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(pa, 12); c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    pa += 16; pb += 32;
  }
  v128.store(c, c00, 0); v128.store(c, c01, 16); c += ldc;
  v128.store(c, c10, 0); v128.store(c, c11, 16); c += ldc;
  v128.store(c, c20, 0); v128.store(c, c21, 16); c += ldc;
  v128.store(c, c30, 0); v128.store(c, c31, 16);
}

// c[6,8] = (first ? 0 : c) + Ap[kc,6]ᵀ · Bp[kc,8] like micro4 (relaxed build only: spills with mul + add).
function micro6(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, first: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  let c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  if (!first) {
    c00 = v128.load(c, 0); c01 = v128.load(c, 16); c += ldc;
    c10 = v128.load(c, 0); c11 = v128.load(c, 16); c += ldc;
    c20 = v128.load(c, 0); c21 = v128.load(c, 16); c += ldc;
    c30 = v128.load(c, 0); c31 = v128.load(c, 16); c += ldc;
    c40 = v128.load(c, 0); c41 = v128.load(c, 16); c += ldc;
    c50 = v128.load(c, 0); c51 = v128.load(c, 16);
    c -= 5 * ldc;
  }
  const end = pb + <usize>kc * 32;
  while (pb < end) {
    const b0 = v128.load(pb, 0), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa, 0); c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(pa, 4); c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(pa, 8); c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(pa, 12); c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    x = v128.load32_splat(pa, 16); c40 = madd(x, b0, c40); c41 = madd(x, b1, c41);
    x = v128.load32_splat(pa, 20); c50 = madd(x, b0, c50); c51 = madd(x, b1, c51);
    pa += 24; pb += 32;
  }
  v128.store(c, c00, 0); v128.store(c, c01, 16); c += ldc;
  v128.store(c, c10, 0); v128.store(c, c11, 16); c += ldc;
  v128.store(c, c20, 0); v128.store(c, c21, 16); c += ldc;
  v128.store(c, c30, 0); v128.store(c, c31, 16); c += ldc;
  v128.store(c, c40, 0); v128.store(c, c41, 16); c += ldc;
  v128.store(c, c50, 0); v128.store(c, c51, 16);
}

/** The relaxed build's madd on one lane: differs from a·b + c rounded twice when the CPU fuses. */
export function probeMadd(a: f32, b: f32, c: f32): f32 {
  return f32x4.extract_lane(madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
}

/** First byte past the module's static data (exp/log tables): the host allocates from here up. */
export function heapBase(): usize {
  return __heap_base;
}
