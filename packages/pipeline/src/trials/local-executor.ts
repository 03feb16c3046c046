// The local trial executor: a pool of worker threads (one per core by default) that share the
// prepared data without copying (SharedArrayBuffer) and each create their kernel once. Trials are
// handed out one at a time to whichever worker is free. A trial that throws, or a worker that dies,
// fails the run with that error once the trials in flight have finished; nothing of it is stored.
// Aborting (Ctrl-C) terminates the workers at once: trials in flight are lost, finished ones kept.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { toTransferable, type PreparedDataset } from '../data/index.js';
import type { TrialEvents, TrialExecutor, TrialSpec } from './executor.js';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-thread.js';

export interface LocalExecutorOptions {
  /** Worker threads (default: one per core). */
  workers?: number;
  kernelId: string;
  /** Threads per worker sharing each large product (default 1; any count gives the same numbers). */
  threadsPerWorker?: number;
  /** The prepared data by preparation name ('main', 'final'): a trial trains on its `preparation`. */
  datasets: Record<string, PreparedDataset>;
  /** The worker's entry (a built .js file). Tests point it at a fixture. */
  workerUrl?: URL;
}

interface Slot {
  name: string;
  worker: Worker;
  /** The trial it is training, if any. */
  busy?: TrialSpec;
  /** Set when the worker failed; it is not used again. */
  dead?: boolean;
}

export function defaultWorkers(): number {
  return availableParallelism();
}

export function localExecutor(opts: LocalExecutorOptions): TrialExecutor {
  const count = opts.workers ?? defaultWorkers();
  if (!Number.isInteger(count) || count < 1) throw new Error(`workers must be a positive integer, not ${count}`);
  const url = opts.workerUrl ?? new URL('./worker-thread.js', import.meta.url);
  const setup: WorkerSetup = {
    kernelId: opts.kernelId,
    threads: opts.threadsPerWorker ?? 1,
    datasets: Object.fromEntries(Object.entries(opts.datasets).map(([k, d]) => [k, toTransferable(d)])),
  };
  let slots: Slot[] = [];
  let spawned = 0;

  const spawn = (): Slot => {
    const name = `local#${++spawned}`;
    const worker = new Worker(url, { workerData: { ...setup, name } });
    return { name, worker };
  };

  return {
    name: `local (${count} worker${count === 1 ? '' : 's'})`,
    run(trials, events, signal) {
      signal.throwIfAborted();
      slots = slots.filter((s) => !s.dead);
      while (slots.length < Math.min(count, trials.length)) slots.push(spawn());
      return dispatch(slots, trials, events, signal);
    },
    async close() {
      const all = slots;
      slots = [];
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}

function dispatch(slots: Slot[], trials: TrialSpec[], events: TrialEvents, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const queue = [...trials];
    let failure: Error | undefined;
    let settled = false;
    const cleanups: (() => void)[] = [];

    const finish = () => {
      if (settled) return;
      if (slots.some((s) => s.busy && !s.dead)) return;
      if (!failure && queue.length > 0 && slots.some((s) => !s.dead)) return;
      settled = true;
      for (const c of cleanups) c();
      if (failure) reject(failure);
      else if (queue.length > 0) reject(new Error('every worker thread died'));
      else resolve();
    };
    const fail = (err: Error) => {
      failure ??= err;
    };
    const next = (slot: Slot) => {
      if (failure || signal.aborted || slot.dead) return finish();
      const spec = queue.shift();
      if (!spec) return finish();
      slot.busy = spec;
      events.started(spec.hash, slot.name);
      slot.worker.postMessage({ type: 'trial', spec } satisfies ToWorker);
    };

    for (const slot of slots) {
      const onMessage = (m: FromWorker) => {
        const spec = slot.busy;
        if (!spec || m.hash !== spec.hash) return;
        if (m.type === 'progress') {
          events.progress(spec.hash, m.progress);
          return;
        }
        slot.busy = undefined;
        if (m.type === 'done') {
          try {
            events.finished(m.record);
          } catch (err) {
            fail(err as Error);
          }
        } else {
          const e = new Error(`trial ${spec.label} failed on ${slot.name}: ${m.message}`);
          e.stack = m.stack ?? e.stack;
          fail(e);
        }
        next(slot);
      };
      let lastError: Error | undefined;
      const onError = (err: Error) => {
        lastError = err;
      };
      const onExit = (code: number) => {
        slot.dead = true;
        const spec = slot.busy;
        slot.busy = undefined;
        const why = lastError ? lastError.message : `exited with code ${code}`;
        fail(new Error(spec ? `trial ${spec.label}: worker ${slot.name} died (${why})` : `worker ${slot.name} died (${why})`));
        finish();
      };
      slot.worker.on('message', onMessage);
      slot.worker.on('error', onError);
      slot.worker.on('exit', onExit);
      cleanups.push(() => {
        slot.worker.off('message', onMessage);
        slot.worker.off('error', onError);
        slot.worker.off('exit', onExit);
      });
    }

    const onAbort = () => {
      if (settled) return;
      settled = true;
      for (const c of cleanups) c();
      // Trials in flight are abandoned: their workers go, their trials were never stored.
      for (const s of slots) {
        s.dead = true;
        void s.worker.terminate();
      }
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => signal.removeEventListener('abort', onAbort));

    for (const slot of slots) next(slot);
    finish();
  });
}
