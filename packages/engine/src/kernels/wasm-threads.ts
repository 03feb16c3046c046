// Helper threads for the WebAssembly kernel's large passes (GEMMs, the SGD step, the mini-batch gather,
// the images' jitter):
// each helper is a worker thread with its own instance of the same module on the same shared memory and
// its own packing scratch. The kernel's API stays synchronous: the calling thread posts a part of the
// work to each helper through a control slot in shared memory (Atomics.notify), does its own part, then
// waits (Atomics.wait) until every helper has finished. Node allows Atomics.wait on its main thread; a
// browser's main thread would not, and this file needs node:worker_threads anyway.

/** The control slot of one helper: 32 Int32s (128 bytes, 8-aligned) in the kernel's shared memory. */
export const SLOT_INTS = 32;
const SEQ = 0; // job number, bumped by the caller to start a job
const DONE = 1; // job number the helper finished last
const READY = 2; // 1 once the helper's instance exists
const OP = 3; // an OP_CODES value, or −1: stop
const FAILED = 4; // 1 once a job threw (a trap: an out-of-range offset)
// GEMM: out, a, b (byte offsets, as Int32 bits), M, N, K, lda, ldb, ldc; SGD: param, grad, len;
// GATHER: out, idx (byte offsets; idx −1 for contiguous rows), n, d, source offset (elements), first row;
// JITTER: x, params, mean, std, scratch (byte offsets), n, C, H, W
const ARGS = 5;
const FARGS = 8; // Float64 index (byte 64) of the float arguments: SGD's eta, lambda

// Loads of the job number a helper spins through before it sleeps: a few tens of µs, about the time
// between two GEMMs of a batch, so it is usually awake when the next job comes.
const HELPER_SPIN = 20000;

export const OP_CODES = { NT: 1, NN: 2, TN: 3, SGD: 4, ATTACH: 5, GATHER: 6, JITTER: 7 } as const;
const STOP = -1;
/** How long the caller waits for the helpers to start (a new thread takes ~20–50 ms) before giving up. */
const START_TIMEOUT_MS = 30_000;

// Runs in each helper (CommonJS, eval'd). Relaxed SIMD needs its V8 flag before the instance exists.
// Errors are reported through the slot (READY −1, FAILED 1): the caller is blocked in Atomics.wait and
// would not see a worker's 'error' event until it returned.
// ATTACH takes the gather's source (a SharedArrayBuffer) from the helper's port, synchronously.
const HELPER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { module, memory, scratch, slot, relaxed, port } = workerData;
const c = new Int32Array(memory.buffer, slot, ${SLOT_INTS});
const f = new Float64Array(memory.buffer, slot, ${SLOT_INTS / 2});
const mem = new Float32Array(memory.buffer);
const idx = new Uint32Array(memory.buffer);
let src = null;
let x;
try {
  if (relaxed) require('node:v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
  x = new WebAssembly.Instance(module, { env: { memory } }).exports;
  x.setScratch(scratch);
  Atomics.store(c, ${READY}, 1);
} catch (e) {
  Atomics.store(c, ${READY}, -1);
}
Atomics.notify(c, ${READY});
let seen = 0;
while (x) {
  for (let spin = 0; spin < ${HELPER_SPIN} && Atomics.load(c, ${SEQ}) === seen; spin++);
  Atomics.wait(c, ${SEQ}, seen);
  const seq = Atomics.load(c, ${SEQ});
  if (seq === seen) continue;
  seen = seq;
  const op = c[${OP}];
  if (op === ${STOP}) break;
  try {
    if (op === ${OP_CODES.SGD}) {
      x.sgdStep(c[${ARGS}] >>> 0, c[${ARGS + 1}] >>> 0, c[${ARGS + 2}], f[${FARGS}], f[${FARGS + 1}]);
    } else if (op === ${OP_CODES.ATTACH}) {
      const m = receiveMessageOnPort(port);
      src = m ? new Float32Array(m.message, 0, m.message.byteLength >>> 2) : null; // labels may follow the floats
      if (!src) throw new Error('no source buffer on the port');
    } else if (op === ${OP_CODES.JITTER}) {
      x.jitterImages(c[${ARGS}] >>> 0, c[${ARGS + 1}] >>> 0, c[${ARGS + 2}] >>> 0, c[${ARGS + 3}] >>> 0, c[${ARGS + 4}] >>> 0, c[${ARGS + 5}], c[${ARGS + 6}], c[${ARGS + 7}], c[${ARGS + 8}]);
    } else if (op === ${OP_CODES.GATHER}) {
      const out = (c[${ARGS}] >>> 0) / 4, ix = c[${ARGS + 1}], n = c[${ARGS + 2}], d = c[${ARGS + 3}], base = c[${ARGS + 4}], first = c[${ARGS + 5}];
      for (let i = 0; i < n; i++) {
        const r = base + (ix === -1 ? first + i : idx[(ix >>> 2) + i]) * d;
        mem.set(src.subarray(r, r + d), out + i * d);
      }
    } else {
      const g = op === ${OP_CODES.NT} ? x.gemmNT : op === ${OP_CODES.NN} ? x.gemmNN : x.gemmTN;
      g(c[${ARGS}] >>> 0, c[${ARGS + 1}] >>> 0, c[${ARGS + 2}] >>> 0, c[${ARGS + 3}], c[${ARGS + 4}], c[${ARGS + 5}], c[${ARGS + 6}], c[${ARGS + 7}], c[${ARGS + 8}]);
    }
  } catch (e) {
    Atomics.store(c, ${FAILED}, 1);
  }
  Atomics.store(c, ${DONE}, seq);
  Atomics.notify(c, ${DONE});
}
`;

interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', listener: (e: Error) => void): void;
}
interface PortLike {
  postMessage(value: unknown): void;
  close(): void;
}
interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown; transferList: unknown[] }) => WorkerLike;
  MessageChannel: new () => { port1: PortLike; port2: PortLike };
}

function workerThreads(): WorkerThreads {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
  if (!mod) throw new Error('threads > 1 needs Node ≥ 20.16 (process.getBuiltinModule and node:worker_threads)');
  return mod;
}

export interface Helpers {
  readonly count: number;
  /** Starts job `op` on helper h with integer arguments `args` and float arguments `floats`. */
  post(h: number, op: number, args: readonly number[], floats?: readonly number[]): void;
  /** Hands every helper `buffer` as the gather's source (a job of its own: waits for it). */
  attach(buffer: SharedArrayBuffer): void;
  /** Blocks until helper h has finished the job last posted to it; false when that job trapped. */
  wait(h: number): boolean;
  /** Stops the helpers (they also never keep the process alive). */
  close(): void;
}

export interface HelperSetup {
  module: object;
  memory: { readonly buffer: ArrayBufferLike };
  relaxed: boolean;
  /** Per helper: its scratch and its control slot (byte offsets in memory, slot 4-byte aligned). */
  scratch: readonly number[];
  slots: readonly number[];
}

export function startHelpers(setup: HelperSetup): Helpers {
  const { Worker, MessageChannel } = workerThreads();
  const count = setup.slots.length;
  const ctl = setup.slots.map((at) => new Int32Array(setup.memory.buffer, at, SLOT_INTS));
  const ctlF = setup.slots.map((at) => new Float64Array(setup.memory.buffer, at, SLOT_INTS / 2));
  const seqs = new Array<number>(count).fill(0);
  let failure: Error | undefined;
  const ports: PortLike[] = [];
  const workers = setup.slots.map((slot, h) => {
    ctl[h].fill(0);
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    const w = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: { module: setup.module, memory: setup.memory, scratch: setup.scratch[h], slot, relaxed: setup.relaxed, port: port2 },
      transferList: [port2],
    });
    w.on('error', (e) => {
      failure = e;
    });
    w.unref();
    return w;
  });
  // The helpers' instances write the module's data segments (its exp/log tables, identical bytes) into
  // the shared memory as they start, so nothing computes until every one is ready.
  for (let h = 0; h < count; h++) {
    for (let waited = 0; Atomics.load(ctl[h], READY) !== 1; waited += 20) {
      const failed = Atomics.load(ctl[h], READY) === -1;
      if (waited >= START_TIMEOUT_MS || failed) {
        for (const w of workers) void w.terminate();
        const why = failed ? 'could not instantiate the kernel module' : `did not start within ${START_TIMEOUT_MS} ms`;
        throw new Error(`helper thread ${h + 1} of ${count} ${why}`);
      }
      Atomics.wait(ctl[h], READY, 0, 20);
    }
  }

  let closed = false;
  const helpers: Helpers = {
    count,
    attach(buffer) {
      let failed = 0;
      for (let h = 0; h < count; h++) {
        ports[h].postMessage(buffer);
        helpers.post(h, OP_CODES.ATTACH, []);
      }
      for (let h = 0; h < count; h++) if (!helpers.wait(h)) failed++;
      if (failed > 0) throw new Error(`${failed} helper thread(s) could not take the gather's source buffer`);
    },
    post(h, op, args, floats = []) {
      const c = ctl[h];
      c[OP] = op;
      for (let i = 0; i < args.length; i++) c[ARGS + i] = args[i] | 0;
      for (let i = 0; i < floats.length; i++) ctlF[h][FARGS + i] = floats[i];
      seqs[h] = (seqs[h] + 1) | 0;
      Atomics.store(c, SEQ, seqs[h]);
      Atomics.notify(c, SEQ);
    },
    wait(h) {
      const c = ctl[h];
      const seq = seqs[h];
      // A short spin first: the helper usually finishes within microseconds of the caller.
      for (let spin = 0; spin < 2000 && Atomics.load(c, DONE) !== seq; spin++);
      for (;;) {
        const done = Atomics.load(c, DONE);
        if (done === seq) break;
        if (failure) throw new Error(`helper thread ${h + 1} stopped: ${failure.message}`);
        Atomics.wait(c, DONE, done, 1000);
      }
      const ok = Atomics.load(c, FAILED) === 0;
      Atomics.store(c, FAILED, 0);
      return ok;
    },
    close() {
      if (closed) return;
      closed = true;
      for (let h = 0; h < count; h++) {
        ctl[h][OP] = STOP;
        Atomics.store(ctl[h], SEQ, (seqs[h] + 1) | 0);
        Atomics.notify(ctl[h], SEQ);
        ports[h].close();
      }
    },
  };
  return helpers;
}
