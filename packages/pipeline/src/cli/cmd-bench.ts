// bnlab bench: the standard workload timed per kernel, the first layer's GEMMs in GFLOP/s, the same
// epoch in numpy (bench/numpy_reference.py) for comparison, and the machine it ran on.
import { availableParallelism, cpus, totalmem } from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { execa } from 'execa';
import {
  DEFAULT_ALPHA, DEFAULT_EPS, MAX_KERNEL_THREADS, TRAINING_OPTIONS, createJitterer, createKernel, createNetwork, defaultKernelId, initNetwork, kernelIds,
  kernelCanThread, loadTrainingBatch, networkBackward, networkForward, sgdUpdate, shuffle, workspace, createRng, uniform, engineIdentity,
  type Kernel, type TrainConfig,
} from '@bnlab/engine';
import type { PreparedDataset } from '../data/layout.js';
import { syntheticPrepared } from '../data/synthetic.js';
import type { TrialEvents } from '../trials/executor.js';
import { trialSpec } from '../trials/identity.js';
import { localExecutor } from '../trials/local-executor.js';
import { intFlag, numberFlag, parseFlags, UsageError, type Command } from './command.js';
import { MAX_DEFAULT_THREADS, spareThreads } from './cmd-train.js';

const D = 3072, K = 10, HIDDEN = [50, 50], BATCH = 100, LAMBDA = 0.005, ETA = 0.01;
const FULL_SAMPLES = 45000, QUICK_SAMPLES = 5000;
/** Batches per timed stretch of the training options' costs. */
const OPTION_CHUNK = 10;
/** The first layer's three products as the engine calls them (W is 50 × 3072): [op, M, N, K]. */
export const GEMM_SHAPES = [['NT', 100, 50, 3072], ['NN', 100, 3072, 50], ['TN', 50, 3072, 100]] as const;

const help = `Usage: bnlab bench [--json] [--quick] [--threads N] [--repeats R] [--workers N] [--kernels LIST]
                   [--samples N] [--gemm-seconds S] [--no-numpy]

Times the standard workload on this machine: one training epoch of the 3-layer net [50, 50] with batch
norm on synthetic data (N × 3072 Gaussian inputs, 10 classes), batch 100, λ = 0.005, for each kernel
on one thread, and for the WebAssembly kernels also with N threads sharing each large product (as
bnlab train runs by default); the single-thread GFLOP/s of the first layer's three GEMMs (forward NT 100x50x3072, backward NN 100x3072x50, weight
gradient TN 50x3072x100) per kernel; and the same epoch in numpy (bench/numpy_reference.py, run with
python3 when it and numpy are installed; skipped with a note otherwise); and the trial throughput of the
local worker pool with 1 and N worker threads (trials per minute; a trial is the study's standard
training, 1 cycle of 2 epochs with 10 recording points, on the same data); and the cost of each training
option on its own (batch norm after the ReLU, dropout, each jitter; at the value the engine's option
list gives as its example): the default kernel's epoch as bnlab train runs it, without and with each
option, timed in rounds of 10 batches per case (as many as 3 epochs, or --repeats), the best stretch
of each scaled to an epoch. Numbers on a shared or busy machine wander: compare the ratios of one run, not
runs on different days.

Options:
  --json              print one JSON object (schema: packages/pipeline/schemas/bench.schema.json)
  --quick             ${QUICK_SAMPLES} samples per epoch instead of ${FULL_SAMPLES}, shorter GEMM timing
  --kernels LIST      comma-separated kernel ids (default: every kernel this machine can run:
                      ${'ts-f64, ts-f32 and the WebAssembly ones'})
  --samples N         samples per epoch (overrides --quick; at least ${BATCH})
  --gemm-seconds S    timing per GEMM shape and kernel (default 0.5, 0.2 with --quick)
  --repeats R         time R epochs per kernel and thread count (and per numpy dtype) and report the
                      best, the least disturbed by other work (default 1)
  --no-numpy          skip the numpy reference
  --no-options        skip the training options' costs
  --threads N         threads for the multi-threaded epoch (default: one per core, at most
                      ${MAX_DEFAULT_THREADS}, here ${spareThreads(1)}); 1 skips it
  --workers N         worker threads for the throughput figure (default: one per core, here ${availableParallelism()});
                      1 and N are measured; 0 skips it
  --debug             stack traces on errors

Epoch times are the best of R timed epochs after a warm-up of 30 batches; WebAssembly is compiled
with its optimising tier only (V8 --no-wasm-dynamic-tiering) so that no timing catches a tier-up.
The numpy epoch runs twice: with numpy's default BLAS threads (all cores) and with one BLAS thread.
Like is compared with like: "ratios" divides the default kernel's N-thread epoch by numpy's epoch with
its default threads, "ratiosOneThread" its one-thread epoch by numpy's one-thread epoch. On an
oversubscribed machine multi-threaded code slows down far more than one thread does.`;

export interface BenchResult {
  defaultKernel: string;
  samples: number;
  /** Timed epochs per figure; each epoch figure (numpy's too) is the best of them. */
  repeats: number;
  /** Threads of the kernels that can share their work (the WebAssembly ones) in epochSeconds. */
  threads: number;
  /** Seconds per epoch as bnlab train runs each kernel: on `threads` threads where it can share, else one. */
  epochSeconds: Record<string, number>;
  /** Seconds per epoch of each kernel on one thread. */
  epochSecondsOneThread: Record<string, number>;
  gemmGflops: Record<string, Record<string, number>>;
  numpy: { f64: number; f32: number } | null;
  /** The same with BLAS capped at one thread, like the engine's kernels (null when numpy is skipped). */
  numpySingleThread: { f64: number; f32: number } | null;
  /** The default kernel on `threads` threads over numpy with its default BLAS threads. */
  ratios: { vsNumpyF64: number; vsNumpyF32: number } | null;
  /** The default kernel on one thread over numpy on one BLAS thread. */
  ratiosOneThread: { vsNumpyF64: number; vsNumpyF32: number } | null;
  workers?: Record<string, number>;
  /**
   * Seconds per epoch of the default kernel on `threads` threads with each training option on its own
   * (key "name=value"), next to the same epoch without options measured alongside; null when skipped.
   */
  optionEpochSeconds: { kernel: string; threads: number; baseline: number; options: Record<string, number> } | null;
  machine: { cpus: number; model: string; node: string; platform: string; arch: string; memoryGiB: number };
  notes: string[];
}

export const command: Command = {
  help,
  async run(argv) {
    const { values } = parseFlags(argv, {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      kernels: { type: 'string' },
      samples: { type: 'string' },
      'gemm-seconds': { type: 'string' },
      'no-numpy': { type: 'boolean', default: false },
      'no-options': { type: 'boolean', default: false },
      workers: { type: 'string' },
      threads: { type: 'string' },
      repeats: { type: 'string' },
    }, 'bench');
    const repeats = intFlag(values.repeats, 'repeats', 1, 1);
    const threads = intFlag(values.threads, 'threads', spareThreads(1), 1, MAX_KERNEL_THREADS);
    const workers = intFlag(values.workers, 'workers', availableParallelism(), 0);
    const samples = intFlag(values.samples, 'samples', values.quick ? QUICK_SAMPLES : FULL_SAMPLES, BATCH);
    const gemmSeconds = numberFlag(values['gemm-seconds'], 'gemm-seconds', values.quick ? 0.2 : 0.5);
    if (!(gemmSeconds > 0)) throw new UsageError(`--gemm-seconds: '${values['gemm-seconds']}' must be > 0`);
    // Before any WebAssembly is compiled (kernelIds() probes the relaxed module): optimised code from
    // the start, so warm-ups are short and no timing catches a tier-up.
    setFlagsFromString('--no-wasm-dynamic-tiering');
    const known = kernelIds();
    const kernels = values.kernels === undefined ? known : values.kernels.split(',').map((s) => s.trim());
    for (const id of kernels) {
      if (!known.includes(id)) throw new UsageError(`--kernels: '${id}' is not a kernel this machine can run (${known.join(', ')})`);
    }
    const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
    const result = await bench({ kernels, samples, gemmSeconds, numpy: !values['no-numpy'], options: !values['no-options'], workers, threads, repeats, log });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatTable(result));
    return 0;
  },
};

export interface BenchOptions {
  kernels: string[];
  samples: number;
  gemmSeconds: number;
  numpy: boolean;
  /** Time each training option on its own with the default kernel (default true). */
  options?: boolean;
  log: (s: string) => void;
  /** The Python interpreter to run the numpy reference with (default python3). */
  python?: string;
  /** Timed epochs per measurement, the best counts (default 1); numpy's too. */
  repeats?: number;
  /** Threads for the multi-threaded epoch of the WebAssembly kernels (default 1: skip it). */
  threads?: number;
  /** Measure trial throughput with 1 and this many worker threads (0: skip). */
  workers?: number;
  /** The worker threads' entry (default: the built dist/trials/worker-thread.js). */
  workerUrl?: URL;
}

export async function bench(o: BenchOptions): Promise<BenchResult> {
  const notes: string[] = [];
  const cpu = cpus();
  const machine = {
    cpus: cpu.length,
    model: cpu[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };

  o.log(`generating ${o.samples} × ${D} synthetic samples`);
  const prepared = syntheticPrepared(o.samples, o.workers ? 1000 : 1);
  const data = prepared;

  const threads = o.threads ?? 1;
  const repeats = o.repeats ?? 1;
  const epochSeconds: Record<string, number> = {};
  const epochSecondsOneThread: Record<string, number> = {};
  const gemmGflops: Record<string, Record<string, number>> = {};
  for (const id of o.kernels) {
    o.log(`${id}: GEMMs`);
    gemmGflops[id] = gemmRates(createKernel(id), o.gemmSeconds);
    o.log(`${id}: one epoch of ${Math.floor(o.samples / BATCH)} batches`);
    epochSecondsOneThread[id] = round(epochTime(createKernel(id), data, repeats), 4);
    epochSeconds[id] = epochSecondsOneThread[id];
    if (threads > 1 && kernelCanThread(id)) {
      o.log(`${id}: one epoch on ${threads} threads`);
      const kernel = createKernel(id, { threads });
      try {
        epochSeconds[id] = round(epochTime(kernel, data, repeats), 4);
      } finally {
        kernel.dispose?.();
      }
    }
  }

  let numpy: BenchResult['numpy'] = null;
  let numpySingleThread: BenchResult['numpySingleThread'] = null;
  if (o.numpy) {
    o.log('numpy reference epoch');
    const r = await numpyEpoch(o.python ?? 'python3', o.samples, ['--repeats', String(repeats)]);
    if ('note' in r) {
      notes.push(r.note);
    } else {
      numpy = r;
      o.log('numpy reference epoch, one BLAS thread');
      const r1 = await numpyEpoch(o.python ?? 'python3', o.samples, ['--repeats', String(repeats), '--threads', '1']);
      if ('note' in r1) notes.push(r1.note);
      else numpySingleThread = r1;
    }
  } else {
    notes.push('numpy reference skipped (--no-numpy)');
  }

  const def = defaultKernelId();
  let optionEpochSeconds: BenchResult['optionEpochSeconds'] = null;
  if (o.options !== false && o.kernels.includes(def)) {
    const t = kernelCanThread(def) ? threads : 1;
    const kernel = createKernel(def, { threads: t });
    try {
      const cases: [string, Partial<TrainConfig>][] = [
        ['none', {}],
        ...TRAINING_OPTIONS.filter((x) => x.example !== undefined).map((x): [string, Partial<TrainConfig>] => [`${x.name}=${String(x.example)}`, { [x.name]: x.example }]),
      ];
      const runs = cases.map(([, options]) => epochRunner(kernel, data, options));
      const best = cases.map(() => Infinity);
      // Rounds of OPTION_CHUNK batches per case, as many as max(repeats, 3) epochs of each: a change of
      // load hits every case alike, and the best stretch, scaled to an epoch, is the least disturbed
      // (on a busy machine a whole undisturbed epoch is rare, a short stretch is not).
      const batches = Math.floor(data.train.n / BATCH);
      const chunk = Math.min(OPTION_CHUNK, batches);
      const rounds = Math.max(repeats, 3) * Math.ceil(batches / chunk);
      o.log(`${def}: training options, ${rounds} rounds of ${chunk} batches each of ${cases.map(([k]) => k).join(', ')}`);
      for (let r = 0; r < rounds; r++) runs.forEach((run, i) => (best[i] = Math.min(best[i], run(chunk))));
      const perEpoch = (i: number) => round((best[i] * batches) / chunk, 4);
      const options = Object.fromEntries(cases.slice(1).map(([key], i) => [key, perEpoch(i + 1)]));
      optionEpochSeconds = { kernel: def, threads: t, baseline: perEpoch(0), options };
    } finally {
      kernel.dispose?.();
    }
  }
  let workers: Record<string, number> | undefined;
  if (o.workers) {
    workers = {};
    for (const count of o.workers > 1 ? [1, o.workers] : [1]) {
      o.log(`${count} worker thread${count > 1 ? 's' : ''}: ${2 * count} trials with ${def}`);
      workers[String(count)] = round(await trialsPerMinute(prepared, def, count, o.workerUrl), 2);
    }
  }
  const ratio = (mine: number | undefined, np: { f64: number; f32: number } | null) =>
    np && mine !== undefined ? { vsNumpyF64: round(mine / np.f64, 3), vsNumpyF32: round(mine / np.f32, 3) } : null;
  if (epochSeconds[def] === undefined) notes.push(`the default kernel ${def} was not benchmarked (--kernels)`);
  return {
    defaultKernel: def, samples: o.samples, repeats, threads, epochSeconds, epochSecondsOneThread, gemmGflops, numpy, numpySingleThread,
    ratios: ratio(epochSeconds[def], numpy), ratiosOneThread: ratio(epochSecondsOneThread[def], numpySingleThread),
    ...(workers ? { workers } : {}), optionEpochSeconds, machine, notes,
  };
}

// One epoch as the engine trains it (shuffled mini-batches: gather, jitter and dropout masks when
// `options` set them, forward, backward, SGD step), without the evaluation passes; the best of
// `repeats` epochs, the one least disturbed by other work (as numpy_reference.py --repeats).
function epochTime(kernel: Kernel, data: PreparedDataset, repeats: number): number {
  const run = epochRunner(kernel, data);
  const batches = Math.floor(data.train.n / BATCH);
  let best = Infinity;
  for (let r = 0; r < repeats; r++) best = Math.min(best, run(batches));
  return best;
}

// A network set up for `options` and warmed up by 30 batches (JIT, page faults, caches); each call
// trains `count` more batches and returns their time in seconds (the reshuffle at an epoch's start
// is not timed).
function epochRunner(kernel: Kernel, data: PreparedDataset, options: Partial<TrainConfig> = {}): (count: number) => number {
  const rng = createRng(1);
  const net = createNetwork(kernel, {
    d: D, K, hidden: HIDDEN, batchNorm: true, eps: DEFAULT_EPS, alpha: DEFAULT_ALPHA, bnPlacement: options.bnPlacement, dropout: options.dropout,
  });
  initNetwork(net, rng, { kind: 'he' });
  const ws = workspace(net, BATCH, true);
  const jitter = createJitterer(kernel, options, D, BATCH, data.image, data.mean, data.std);
  const split = data.train;
  const order = Uint32Array.from({ length: split.n }, (_, i) => i);
  const batches = Math.floor(split.n / BATCH);
  const step = (b: number) => {
    loadTrainingBatch(ws, net, split, b * BATCH, BATCH, order, rng, jitter);
    networkForward(ws, net, BATCH, 'train', true);
    networkBackward(ws, net, BATCH);
    sgdUpdate(net, ETA, LAMBDA);
  };
  shuffle(rng, order);
  for (let b = 0; b < 30; b++) step(b % batches);
  let next = batches; // the first call starts a new epoch
  return (count) => {
    let ms = 0;
    for (let done = 0; done < count;) {
      if (next === batches) {
        shuffle(rng, order);
        next = 0;
      }
      const stretch = Math.min(count - done, batches - next);
      const t = performance.now();
      for (let b = next; b < next + stretch; b++) step(b);
      ms += performance.now() - t;
      next += stretch;
      done += stretch;
    }
    return ms / 1000;
  };
}

// GFLOP/s (2·M·N·K per call) of each first-layer product: calls in rounds of ≥ 5 ms for about
// `seconds`, the best round counts (the least disturbed by other processes).
function gemmRates(kernel: Kernel, seconds: number): Record<string, number> {
  const rng = createRng(2);
  const out: Record<string, number> = {};
  for (const [op, M, N, Kd] of GEMM_SHAPES) {
    const fill = (len: number) => {
      const a = kernel.alloc(len);
      for (let i = 0; i < len; i++) a[i] = uniform(rng) * 2 - 1;
      return a;
    };
    const a = fill(M * Kd), b = fill(N * Kd), c = kernel.alloc(M * N);
    const call = op === 'NT' ? kernel.gemmNT : op === 'NN' ? kernel.gemmNN : kernel.gemmTN;
    call(c, a, b, M, N, Kd); // warm-up, and a first estimate of a call's time
    let t = performance.now();
    call(c, a, b, M, N, Kd);
    const perCall = Math.max(performance.now() - t, 1e-3);
    const reps = Math.max(1, Math.ceil(5 / perCall));
    let best = Infinity;
    const end = performance.now() + seconds * 1000;
    do {
      t = performance.now();
      for (let r = 0; r < reps; r++) call(c, a, b, M, N, Kd);
      best = Math.min(best, (performance.now() - t) / reps);
    } while (performance.now() < end);
    out[`${op} ${M}x${N}x${Kd}`] = round((2 * M * N * Kd) / (best * 1e6), 2);
  }
  return out;
}

// Trials per minute of the local worker pool: one warm-up trial per worker (thread start, kernel,
// compilation), then 2 trials per worker timed from hand-out to the last record.
async function trialsPerMinute(data: PreparedDataset, kernelId: string, workers: number, workerUrl?: URL): Promise<number> {
  const engine = engineIdentity(kernelId);
  const perEpoch = Math.floor(data.train.n / BATCH);
  const spec = (seed: number) => {
    const config: TrainConfig = {
      hidden: HIDDEN, batchNorm: true, init: { kind: 'he' }, lambda: LAMBDA, etaMin: 1e-5, etaMax: 1e-1,
      batch: BATCH, ns: perEpoch, cycles: 1, seed,
    };
    return trialSpec({ config: { ...config }, preparation: 'main', dataFingerprint: data.fingerprint, engine }, `bench seed ${seed}`);
  };
  const executor = localExecutor({ workers, kernelId, datasets: { main: data }, ...(workerUrl ? { workerUrl } : {}) });
  const events: TrialEvents = { started() {}, progress() {}, finished() {} };
  try {
    const signal = new AbortController().signal;
    await executor.run(Array.from({ length: workers }, (_, i) => spec(1000 + i)), events, signal);
    const trials = Array.from({ length: 2 * workers }, (_, i) => spec(i + 1));
    const t = performance.now();
    await executor.run(trials, events, signal);
    return trials.length / ((performance.now() - t) / 60000);
  } finally {
    await executor.close();
  }
}

/** The repository's bench/numpy_reference.py, found from this file (src/ or dist/ of the pipeline). */
export function numpyScript(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'bench', 'numpy_reference.py');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return null;
}

async function numpyEpoch(python: string, samples: number, extra: string[]): Promise<{ f64: number; f32: number } | { note: string }> {
  const script = numpyScript();
  if (script === null) return { note: 'numpy reference skipped: bench/numpy_reference.py not found' };
  const r = await execa(python, [script, '--samples', String(samples), ...extra], { reject: false });
  if (r.failed) {
    const err = r as { code?: string; stderr?: string };
    if (err.code === 'ENOENT') return { note: `numpy reference skipped: ${python} not found` };
    if (/No module named .?numpy/.test(err.stderr ?? '')) return { note: `numpy reference skipped: ${python} has no numpy` };
    const last = (err.stderr ?? '').trim().split('\n').pop() ?? '';
    return { note: `numpy reference failed (exit ${r.exitCode}): ${last}` };
  }
  try {
    const parsed = JSON.parse(String(r.stdout)) as { f64?: unknown; f32?: unknown };
    if (typeof parsed.f64 === 'number' && typeof parsed.f32 === 'number') return { f64: parsed.f64, f32: parsed.f32 };
  } catch {
    // reported below, with what it printed
  }
  return { note: `numpy reference printed no {"f64", "f32"} JSON: ${String(r.stdout).slice(0, 80)}` };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function formatTable(r: BenchResult): string {
  const shapes = GEMM_SHAPES.map(([op, M, N, Kd]) => `${op} ${M}x${N}x${Kd}`);
  const ids = Object.keys(r.epochSeconds);
  const w = Math.max(22, ...ids.map((id) => id.length + 2));
  const threaded = r.threads > 1;
  const threadsHead = threaded ? `${r.threads} threads`.padStart(12) : '';
  const threadsCell = (id: string) => (threaded ? (kernelCanThread(id) ? r.epochSeconds[id].toFixed(3) : '–').padStart(12) : '');
  const lines = [
    `bnlab bench: ${r.samples} samples × ${D}, 3-layer [${HIDDEN.join(', ')}] with batch norm, batch ${BATCH}, λ = ${LAMBDA}`,
    `machine: ${r.machine.model}, ${r.machine.cpus} cpus, ${r.machine.memoryGiB} GiB, Node ${r.machine.node} (${r.machine.platform}-${r.machine.arch})`,
    '',
    `${'kernel'.padEnd(w)}${'1 thread'.padStart(9)}${threadsHead}${shapes.map((s) => s.padStart(17)).join('')}   (GEMM GFLOP/s, 1 thread)`,
    ...ids.map((id) =>
      `${(id === r.defaultKernel ? `${id} *` : id).padEnd(w)}${r.epochSecondsOneThread[id].toFixed(3).padStart(9)}${threadsCell(id)}${shapes
        .map((s) => (r.gemmGflops[id]?.[s] ?? NaN).toFixed(1).padStart(17))
        .join('')}`),
  ];
  if (r.numpy) {
    lines.push(`${'numpy f64'.padEnd(w)}${r.numpy.f64.toFixed(3).padStart(9)}`, `${'numpy f32'.padEnd(w)}${r.numpy.f32.toFixed(3).padStart(9)}`);
  }
  if (r.numpySingleThread) {
    const t = r.numpySingleThread;
    lines.push(`${'numpy f64, 1 thread'.padEnd(w)}${t.f64.toFixed(3).padStart(9)}`, `${'numpy f32, 1 thread'.padEnd(w)}${t.f32.toFixed(3).padStart(9)}`);
  }
  lines.push('', `* default kernel: ${r.defaultKernel}`);
  if (r.workers) {
    const entries = Object.entries(r.workers);
    const one = r.workers['1'];
    lines.push(`  trials per minute: ${entries.map(([w, t]) => `${w} worker${w === '1' ? '' : 's'} ${t.toFixed(1)}${w !== '1' && one ? ` (× ${(t / one).toFixed(2)})` : ''}`).join(', ')}`);
  }
  if (r.ratios) {
    const how = r.threads > 1 && kernelCanThread(r.defaultKernel) ? `on ${r.threads} threads` : 'on one thread';
    lines.push(`  its epoch ${how} takes ${r.ratios.vsNumpyF64.toFixed(2)} × numpy's f64 epoch and ${r.ratios.vsNumpyF32.toFixed(2)} × numpy's f32 epoch (default BLAS threads)`);
  }
  if (r.ratiosOneThread) {
    const t = r.ratiosOneThread;
    lines.push(`  on one thread: ${t.vsNumpyF64.toFixed(2)} × and ${t.vsNumpyF32.toFixed(2)} × numpy's with one BLAS thread`);
  }
  if (r.optionEpochSeconds) {
    const oe = r.optionEpochSeconds;
    lines.push('', `training options, each on its own (${oe.kernel} on ${oe.threads} thread${oe.threads === 1 ? '' : 's'}, seconds per epoch):`);
    lines.push(`  ${'none'.padEnd(26)}${oe.baseline.toFixed(3).padStart(9)}`);
    for (const [key, sec] of Object.entries(oe.options)) {
      const pct = (100 * (sec / oe.baseline - 1)).toFixed(1);
      lines.push(`  ${key.padEnd(26)}${sec.toFixed(3).padStart(9)}  (${Number(pct) >= 0 ? '+' : ''}${pct} %)`);
    }
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}
