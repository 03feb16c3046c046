// A local worker thread: rebuilds the shared prepared data once (no copy), then trains the trials it
// is sent one at a time, posting progress (at most every 200 ms) and the record. Each trial gets a
// fresh kernel: a WebAssembly kernel allocates from a bump allocator that is never freed (its arrays
// live as long as it does), so one kernel reused for every trial runs out of memory after a dozen or
// two trials; creating one takes milliseconds, and the old one is garbage.
// Runs as the built dist/trials/worker-thread.js.
import { parentPort, workerData } from 'node:worker_threads';
import { createKernel, type Kernel } from '@bnlab/engine';
import { fromTransferable, type PreparedDataset, type TransferablePrepared } from '../data/index.js';
import type { TrialProgress, TrialRecord, TrialSpec } from './executor.js';
import { runTrial } from './run-trial.js';

export interface WorkerSetup {
  kernelId: string;
  /** Threads of each trial's kernel (its helpers are stopped when the trial ends). */
  threads: number;
  datasets: Record<string, TransferablePrepared>;
}

export type ToWorker = { type: 'trial'; spec: TrialSpec };
export type FromWorker =
  | { type: 'progress'; hash: string; progress: TrialProgress }
  | { type: 'done'; hash: string; record: TrialRecord }
  | { type: 'failed'; hash: string; message: string; stack?: string };

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup & { name: string };
  const datasets: Record<string, PreparedDataset> = Object.fromEntries(
    Object.entries(setup.datasets).map(([k, t]) => [k, fromTransferable(t)]),
  );

  port.on('message', async (m: ToWorker) => {
    const { spec } = m;
    let k: Kernel | undefined;
    try {
      k = createKernel(setup.kernelId, { threads: setup.threads });
      const dataset = datasets[spec.preparation];
      if (!dataset) throw new Error(`no prepared data '${spec.preparation}' in this worker (has ${Object.keys(datasets).join(', ')})`);
      let last = 0;
      const kernel = k;
      const record = runTrial(spec, dataset, kernel, (p) => {
        const now = Date.now();
        // Recording points always pass: they are few, and live curves are drawn from them.
        if (now - last < 200 && p.update < p.updates && p.point === undefined) return;
        last = now;
        port.postMessage({ type: 'progress', hash: spec.hash, progress: p } satisfies FromWorker);
      }, setup.name);
      port.postMessage({ type: 'done', hash: spec.hash, record } satisfies FromWorker);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ type: 'failed', hash: spec.hash, message: e.message, stack: e.stack } satisfies FromWorker);
    } finally {
      k?.dispose?.();
    }
  });
}
