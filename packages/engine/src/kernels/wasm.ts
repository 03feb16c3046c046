// The WebAssembly SIMD kernels (f32): 'wasm-simd-f32' and 'wasm-relaxed-fma-f32'. Sources in
// packages/engine/assembly, compiled by scripts/build-wasm.mjs into base64 modules under ./generated.
//
// Ids name exactly what computes:
//   - wasm-simd-f32: plain 128-bit SIMD, no relaxed ops, no fused multiply-add. WebAssembly fixes every
//     result bit (IEEE 754 round-to-nearest, software exp/log compiled into the module), so this id gives
//     the same bits on every machine with WASM SIMD: the portable kernel.
//   - wasm-relaxed-fma-f32: the GEMMs use f32x4.relaxed_madd, which the engine lowers to a fused
//     multiply-add on CPUs that have one; a probe at load time checks that it really fuses here. Where it
//     does not, relaxed_madd is by specification a multiply then an add, each rounded, i.e. exactly the
//     plain build's arithmetic in the same order: that machine computes wasm-simd-f32's numbers, so no
//     separate "nofma" id exists (it would split the trial cache for identical results).
// All other ops are the same code in both builds.
//
// Memory: one shared WebAssembly.Memory per kernel, reserved up front and never grown, because growing
// would detach every typed array handed out by alloc. Linux commits pages lazily, so the reserve costs
// address space, not RAM. alloc is a bump allocator (arrays live as long as the kernel).
//
// Threads: with `threads: T > 1` the kernel starts T − 1 helper threads (./wasm-threads.ts) and splits
// each large GEMM into T blocks of whole rows or columns (./gemm-split.ts). Every element is computed
// by the same code in the same order whichever thread holds it, so the id does not change with T: one
// thread or eight give the same bits (a spec checks it).
import { JITTER_PARAMS, type FloatArray, type Kernel } from '../kernel.js';
import { blockOffsets, leadingDims, MIN_SPLIT_ELEMENTS, splitGemm, splitRange, type GemmOp } from './gemm-split.js';
import { copyRows } from './ts.js';
import { OP_CODES, SLOT_INTS, startHelpers, type Helpers } from './wasm-threads.js';
import { wasmBase64 as simdBase64 } from './generated/wasm-simd.js';
import { wasmBase64 as relaxedBase64 } from './generated/wasm-relaxed.js';

export const WASM_SIMD_ID = 'wasm-simd-f32';
export const WASM_RELAXED_FMA_ID = 'wasm-relaxed-fma-f32';
/** Every id this file can create, fastest first. */
export const WASM_KERNEL_IDS: readonly string[] = [WASM_RELAXED_FMA_ID, WASM_SIMD_ID];

export interface WasmKernelOptions {
  /** Bytes of linear memory reserved for the kernel's arrays (default 256 MiB, at most 4 GiB). */
  memoryBytes?: number;
  /** Threads sharing each large GEMM: the caller's and threads − 1 helpers (default 1). */
  threads?: number;
}

/** A WebAssembly kernel; dispose() stops its helper threads (a no-op with one thread). */
export interface WasmKernel extends Kernel {
  readonly threads: number;
  dispose(): void;
}

export const DEFAULT_WASM_MEMORY_BYTES = 256 * 1024 * 1024;
/** The most threads a kernel takes (helpers are worker threads, each with its own engine instance). */
export const MAX_KERNEL_THREADS = 64;
const PAGE = 65536;
const ALIGN = 64; // a cache line

interface Exports {
  heapBase(): number;
  scratchBytes(): number;
  setScratch(ptr: number): void;
  probeMadd(a: number, b: number, c: number): number;
  gemmNT(out: number, a: number, b: number, M: number, N: number, K: number, lda: number, ldb: number, ldc: number): void;
  gemmNN(out: number, a: number, b: number, M: number, N: number, K: number, lda: number, ldb: number, ldc: number): void;
  gemmTN(out: number, a: number, b: number, M: number, N: number, K: number, lda: number, ldb: number, ldc: number): void;
  addRow(x: number, v: number, n: number, m: number): void;
  colSum(out: number, x: number, n: number, m: number): void;
  batchNormForward(out: number, shat: number, mean: number, variance: number, s: number, gamma: number, beta: number, n: number, m: number, eps: number): void;
  batchNormInference(out: number, s: number, mean: number, variance: number, gamma: number, beta: number, n: number, m: number, eps: number): void;
  batchNormBackward(ds: number, dgamma: number, dbeta: number, g: number, shat: number, variance: number, gamma: number, n: number, m: number, eps: number): void;
  reluForward(x: number, len: number): void;
  reluBackward(g: number, h: number, len: number): void;
  softmaxCrossEntropy(p: number, ds: number, hasDs: number, s: number, y: number, n: number, K: number): number;
  countCorrect(p: number, y: number, n: number, K: number): number;
  applyMask(x: number, mask: number, len: number): void;
  jitterImages(x: number, params: number, mean: number, std: number, scratch: number, n: number, C: number, H: number, W: number): void;
  sgdStep(param: number, grad: number, len: number, eta: number, lambda: number): void;
  ema(avg: number, x: number, len: number, alpha: number): void;
  sumSquares(x: number, len: number): number;
}

type Flavour = 'simd' | 'relaxed';

// The few WebAssembly JS-API members used here (the project's TypeScript lib has no WebAssembly types).
interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

function decode(base64: string): Uint8Array {
  const s = atob(base64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

const bytesCache = new Map<Flavour, Uint8Array>();
function moduleBytes(f: Flavour): Uint8Array {
  let b = bytesCache.get(f);
  if (b === undefined) {
    b = decode(f === 'simd' ? simdBase64 : relaxedBase64);
    bytesCache.set(f, b);
  }
  return b;
}

let relaxedFlagSet = false;
// Node 20's V8 ships relaxed SIMD behind a flag that NODE_OPTIONS and Worker execArgv reject; setting
// it at run time before compiling works, in the main thread and in workers. Done only when a relaxed
// module is asked for, and only when the module does not validate without it.
function enableRelaxedSimd(): void {
  if (relaxedFlagSet) return;
  relaxedFlagSet = true;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const v8 = proc?.getBuiltinModule?.('node:v8') as { setFlagsFromString(flags: string): void } | undefined;
  v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

const validCache = new Map<Flavour, boolean>();
function validates(f: Flavour): boolean {
  let ok = validCache.get(f);
  if (ok === undefined) {
    ok = WA.validate(moduleBytes(f));
    if (!ok && f === 'relaxed') {
      enableRelaxedSimd();
      ok = WA.validate(moduleBytes(f));
    }
    validCache.set(f, ok);
  }
  return ok;
}

const moduleCache = new Map<Flavour, object>();
function compiled(f: Flavour): object {
  let m = moduleCache.get(f);
  if (m === undefined) {
    m = new WA.Module(moduleBytes(f));
    moduleCache.set(f, m);
  }
  return m;
}

function instantiate(f: Flavour, pages: number): { exports: Exports; memory: WasmMemory } {
  // shared, so that helper threads can compute on the same arrays
  const memory = new WA.Memory({ initial: pages, maximum: pages, shared: true });
  const instance = new WA.Instance(compiled(f), { env: { memory } });
  return { exports: instance.exports as unknown as Exports, memory };
}

let fusesCache: boolean | undefined;
/**
 * Whether f32x4.relaxed_madd fuses on this CPU: with a = b = 1 + 2⁻¹² and c = −(1 + 2⁻¹¹), a·b is
 * 1 + 2⁻¹¹ + 2⁻²⁴, which f32 rounds to 1 + 2⁻¹¹ (a tie, to even); so unfused gives 0 and fused 2⁻²⁴.
 */
export function relaxedMaddFuses(): boolean {
  if (fusesCache === undefined) {
    if (!validates('relaxed')) {
      fusesCache = false;
    } else {
      const { exports } = instantiate('relaxed', 1);
      const a = 1 + 2 ** -12;
      const r = exports.probeMadd(a, a, -(1 + 2 ** -11));
      fusesCache = r === 2 ** -24;
    }
  }
  return fusesCache;
}

/** Whether this machine can compute the kernel `id` (false for ids this file does not know). */
export function wasmKernelAvailable(id: string): boolean {
  if (id === WASM_SIMD_ID) return validates('simd');
  if (id === WASM_RELAXED_FMA_ID) return validates('relaxed') && relaxedMaddFuses();
  return false;
}

/** The WASM kernel ids this machine can compute, fastest first (empty without WASM SIMD). */
export function availableWasmKernelIds(): string[] {
  return WASM_KERNEL_IDS.filter(wasmKernelAvailable);
}

export function createWasmKernel(id: string, options: WasmKernelOptions = {}): WasmKernel {
  const flavour: Flavour | undefined = id === WASM_SIMD_ID ? 'simd' : id === WASM_RELAXED_FMA_ID ? 'relaxed' : undefined;
  if (flavour === undefined) throw new Error(`unknown WebAssembly kernel '${id}' (known: ${WASM_KERNEL_IDS.join(', ')})`);
  if (!wasmKernelAvailable(id)) {
    const why = flavour === 'simd' || !validates('relaxed')
      ? `this JavaScript engine does not support WebAssembly ${flavour === 'simd' ? 'SIMD' : 'relaxed SIMD'}`
      : 'relaxed multiply-add does not fuse on this CPU (it computes wasm-simd-f32\'s numbers: use that id)';
    throw new Error(`kernel '${id}' is not available here: ${why}`);
  }
  const memoryBytes = options.memoryBytes ?? DEFAULT_WASM_MEMORY_BYTES;
  if (!Number.isInteger(memoryBytes) || memoryBytes <= 0 || memoryBytes > 65536 * PAGE) {
    throw new Error(`kernel '${id}': memoryBytes must be an integer in (0, 4 GiB], got ${memoryBytes}`);
  }
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_KERNEL_THREADS) {
    throw new Error(`kernel '${id}': threads must be an integer from 1 to ${MAX_KERNEL_THREADS}, got ${threads}`);
  }
  const pages = Math.ceil(memoryBytes / PAGE);
  const { exports: x, memory } = instantiate(flavour, pages);
  const buffer = memory.buffer; // never grown, so never detached
  const limit = pages * PAGE;

  const roundUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;
  let top = roundUp(x.heapBase());
  // packing scratch for each thread, then one control slot per helper
  const scratch: number[] = [];
  for (let t = 0; t < threads; t++) {
    scratch.push(top);
    top = roundUp(top + x.scratchBytes());
  }
  const slots: number[] = [];
  for (let t = 1; t < threads; t++) {
    slots.push(top);
    top = roundUp(top + 4 * SLOT_INTS);
  }
  if (top > limit) throw new Error(`kernel '${id}': memoryBytes ${memoryBytes} is too small for its scratch space`);
  x.setScratch(scratch[0]);
  let helpers: Helpers | null = threads > 1
    ? startHelpers({ module: compiled(flavour), memory, relaxed: flavour === 'relaxed', scratch: scratch.slice(1), slots })
    : null;

  function alloc(n: number): Float32Array {
    if (!Number.isInteger(n) || n < 0) throw new Error(`kernel '${id}': alloc(${n}): not a length`);
    const start = top;
    const end = roundUp(start + 4 * n);
    if (end > limit) {
      throw new Error(
        `kernel '${id}': alloc(${n}) needs ${end - start} bytes but only ${limit - start} of its ${limit} reserved bytes are left; ` +
          'create the kernel with a larger memoryBytes',
      );
    }
    top = end;
    return new Float32Array(buffer, start, n);
  }

  // The byte offset of an array of this kernel; anything else is a programming error caught here,
  // once per call, instead of computing on whatever memory the offset would name.
  function at(v: FloatArray): number {
    if (v.buffer !== buffer || !(v instanceof Float32Array)) {
      throw new Error(`kernel '${id}': an array passed to it was not allocated by its alloc()`);
    }
    return v.byteOffset;
  }

  const direct = { NT: x.gemmNT, NN: x.gemmNN, TN: x.gemmTN };

  // Nothing is allocated per call (the training loop calls these every batch): how a shape is cut is
  // computed once and kept, and a helper's job arguments go through one reused array.
  interface Part {
    rows: number;
    cols: number;
    /** Byte offsets of the part's corner in out, a and b. */
    out: number;
    a: number;
    b: number;
  }
  interface Shape {
    lda: number;
    ldb: number;
    parts: Part[];
  }
  const shapes = new Map<number, Shape>();
  const rangeParts = new Map<number, [number, number][]>();
  const job: number[] = new Array<number>(9).fill(0);
  const jobFloats: number[] = [0, 0];
  const OPS: readonly GemmOp[] = ['NT', 'NN', 'TN'];

  // The leading dimensions of a product and how it is cut between the threads.
  function shapeOf(op: GemmOp, M: number, N: number, K: number): Shape {
    const small = M < 65536 && N < 65536 && K < 65536; // the key stays below 2⁵³
    const key = small ? ((OPS.indexOf(op) * 65536 + M) * 65536 + N) * 65536 + K : -1;
    let shape = small ? shapes.get(key) : undefined;
    if (shape === undefined) {
      const { lda, ldb, ldc } = leadingDims(op, M, N, K);
      const parts = splitGemm(M, N, K, threads).map((blk) => ({ rows: blk.i1 - blk.i0, cols: blk.j1 - blk.j0, ...blockOffsets(op, blk, lda, ldb, ldc) }));
      shape = { lda, ldb, parts };
      if (small) shapes.set(key, shape);
    }
    return shape;
  }

  function rangesOf(len: number): [number, number][] {
    let parts = rangeParts.get(len);
    if (parts === undefined) {
      parts = splitRange(len, threads);
      rangeParts.set(len, parts);
    }
    return parts;
  }

  // Waits for helpers 0 … count−1 (they write into the caller's arrays, so even a trap on this thread
  // is rethrown only after they are done); the number of helpers whose part trapped.
  function join(count: number): number {
    let trapped = 0;
    for (let t = 0; t < count; t++) if (!helpers!.wait(t)) trapped++;
    return trapped;
  }
  function trappedError(what: string, trapped: number): Error {
    return new Error(`kernel '${id}': ${what}: ${trapped} helper thread(s) trapped on their part (an operand beyond the kernel's memory?)`);
  }

  // out[M,N] = A·B with the layout of `op`: part 0 on this thread, the others on the helpers.
  function gemm(op: GemmOp, out: FloatArray, a: FloatArray, b: FloatArray, M: number, N: number, K: number): void {
    const po = at(out), pa = at(a), pb = at(b);
    const { lda, ldb, parts } = shapeOf(op, M, N, K);
    if (helpers === null || parts.length <= 1) {
      direct[op](po, pa, pb, M, N, K, lda, ldb, N);
      return;
    }
    const code = OP_CODES[op];
    for (let t = 1; t < parts.length; t++) {
      const p = parts[t];
      job[0] = po + p.out; job[1] = pa + p.a; job[2] = pb + p.b;
      job[3] = p.rows; job[4] = p.cols; job[5] = K; job[6] = lda; job[7] = ldb; job[8] = N;
      helpers.post(t - 1, code, job);
    }
    const p0 = parts[0];
    let own: unknown;
    try {
      direct[op](po + p0.out, pa + p0.a, pb + p0.b, p0.rows, p0.cols, K, lda, ldb, N);
    } catch (e) {
      own = e;
    }
    const trapped = join(parts.length - 1);
    if (own !== undefined) throw own;
    if (trapped > 0) throw trappedError(`gemm${op} ${M}x${N}x${K}`, trapped);
  }

  // The mini-batch gather reads rows scattered over the whole split (memory-bound, ~85 ms of a CIFAR-10
  // epoch): shared when the split lives in a SharedArrayBuffer the helpers can be handed (the
  // pipeline's prepared data does). The row indices go through kernel memory, grown as batches grow.
  let attached: SharedArrayBuffer | null = null;
  let rowIndex: Uint32Array | null = null;
  function gatherRows(out: FloatArray, src: Float32Array, order: Uint32Array | null, start: number, n: number, d: number): void {
    const po = at(out);
    const shared = typeof SharedArrayBuffer !== 'undefined' && src.buffer instanceof SharedArrayBuffer ? src.buffer : null;
    if (helpers === null || shared === null || n * d < MIN_SPLIT_ELEMENTS || n < 2) {
      copyRows(out, src, order, start, 0, n, d);
      return;
    }
    // whole rows per thread: rows [⌊t·n/count⌋, ⌊(t+1)·n/count⌋) on thread t
    const count = Math.min(threads, n);
    if (attached !== shared) {
      helpers.attach(shared);
      attached = shared;
    }
    let ix = -1;
    if (order !== null) {
      if (rowIndex === null || rowIndex.length < n) {
        const room = alloc(n);
        rowIndex = new Uint32Array(room.buffer, room.byteOffset, n);
      }
      rowIndex.set(order.subarray(start, start + n));
      ix = rowIndex.byteOffset;
    }
    for (let t = 1; t < count; t++) {
      const i0 = Math.floor((t * n) / count), i1 = Math.floor(((t + 1) * n) / count);
      job[0] = po + 4 * i0 * d; job[1] = ix === -1 ? -1 : ix + 4 * i0; job[2] = i1 - i0; job[3] = d;
      job[4] = src.byteOffset / 4; job[5] = start + i0;
      helpers.post(t - 1, OP_CODES.GATHER, job);
    }
    let own: unknown;
    try {
      copyRows(out, src, order, start, 0, Math.floor(n / count), d);
    } catch (e) {
      own = e;
    }
    const trapped = join(count - 1);
    if (own !== undefined) throw own;
    if (trapped > 0) throw trappedError(`gatherRows ${n}x${d}`, trapped);
  }

  // The images' jitter (three passes over the batch, about a third of a training step's time on one
  // thread): whole images per thread, each helper with its own scratch image (allocated once per size).
  const helperScratch: (Float32Array | null)[] = [];
  function jitterImages(
    v: FloatArray, params: FloatArray, mean: FloatArray, std: FloatArray, scratch: FloatArray,
    n: number, C: number, H: number, W: number,
  ): void {
    const pv = at(v), pp = at(params), pm = at(mean), ps = at(std), psc = at(scratch);
    const d = C * H * W;
    if (helpers === null || n < 2 || n * d < MIN_SPLIT_ELEMENTS) {
      x.jitterImages(pv, pp, pm, ps, psc, n, C, H, W);
      return;
    }
    const count = Math.min(threads, n);
    for (let t = 1; t < count; t++) {
      let own = helperScratch[t - 1] ?? null;
      if (own === null || own.length < d) {
        own = alloc(d);
        helperScratch[t - 1] = own;
      }
      const i0 = Math.floor((t * n) / count), i1 = Math.floor(((t + 1) * n) / count);
      job[0] = pv + 4 * i0 * d; job[1] = pp + 4 * i0 * JITTER_PARAMS; job[2] = pm; job[3] = ps; job[4] = own.byteOffset;
      job[5] = i1 - i0; job[6] = C; job[7] = H; job[8] = W;
      helpers.post(t - 1, OP_CODES.JITTER, job);
    }
    let own: unknown;
    try {
      x.jitterImages(pv, pp, pm, ps, psc, Math.floor(n / count), C, H, W);
    } catch (e) {
      own = e;
    }
    const trapped = join(count - 1);
    if (own !== undefined) throw own;
    if (trapped > 0) throw trappedError(`jitterImages ${n}x${d}`, trapped);
  }

  // The SGD step over W1 (153 600 floats for CIFAR-10) is the largest elementwise pass: shared too.
  function sgdStep(param: FloatArray, grad: FloatArray, len: number, eta: number, lambda: number): void {
    const pp = at(param), pg = at(grad);
    const parts = helpers === null ? null : rangesOf(len);
    if (helpers === null || parts === null || parts.length <= 1) {
      x.sgdStep(pp, pg, len, eta, lambda);
      return;
    }
    jobFloats[0] = eta;
    jobFloats[1] = lambda;
    for (let t = 1; t < parts.length; t++) {
      const from = parts[t][0], to = parts[t][1];
      job[0] = pp + 4 * from; job[1] = pg + 4 * from; job[2] = to - from;
      helpers.post(t - 1, OP_CODES.SGD, job, jobFloats);
    }
    const from = parts[0][0], to = parts[0][1];
    let own: unknown;
    try {
      x.sgdStep(pp + 4 * from, pg + 4 * from, to - from, eta, lambda);
    } catch (e) {
      own = e;
    }
    const trapped = join(parts.length - 1);
    if (own !== undefined) throw own;
    if (trapped > 0) throw trappedError(`sgdStep ${len}`, trapped);
  }

  return {
    id,
    dtype: 'f32',
    threads,
    // after dispose the kernel still works, on this thread alone (the same bits)
    dispose: () => {
      helpers?.close();
      helpers = null;
    },
    alloc,
    gemmNT: (out, a, b, M, N, K) => gemm('NT', out, a, b, M, N, K),
    gemmNN: (out, a, b, M, N, K) => gemm('NN', out, a, b, M, N, K),
    gemmTN: (out, a, b, M, N, K) => gemm('TN', out, a, b, M, N, K),
    gatherRows,
    addRow: (v, row, n, m) => x.addRow(at(v), at(row), n, m),
    colSum: (out, v, n, m) => x.colSum(at(out), at(v), n, m),
    batchNormForward: (out, shat, mean, variance, s, gamma, beta, n, m, eps) =>
      x.batchNormForward(at(out), at(shat), at(mean), at(variance), at(s), at(gamma), at(beta), n, m, eps),
    batchNormInference: (out, s, mean, variance, gamma, beta, n, m, eps) =>
      x.batchNormInference(at(out), at(s), at(mean), at(variance), at(gamma), at(beta), n, m, eps),
    batchNormBackward: (ds, dgamma, dbeta, g, shat, variance, gamma, n, m, eps) =>
      x.batchNormBackward(at(ds), at(dgamma), at(dbeta), at(g), at(shat), at(variance), at(gamma), n, m, eps),
    reluForward: (v, len) => x.reluForward(at(v), len),
    reluBackward: (g, h, len) => x.reluBackward(at(g), at(h), len),
    softmaxCrossEntropy: (p, ds, s, y, n, K) =>
      x.softmaxCrossEntropy(at(p), ds === null ? 0 : at(ds), ds === null ? 0 : 1, at(s), at(y), n, K),
    countCorrect: (p, y, n, K) => x.countCorrect(at(p), at(y), n, K),
    applyMask: (v, mask, len) => x.applyMask(at(v), at(mask), len),
    jitterImages,
    sgdStep,
    ema: (avg, v, len, alpha) => x.ema(at(avg), at(v), len, alpha),
    sumSquares: (v, len) => x.sumSquares(at(v), len),
  };
}
