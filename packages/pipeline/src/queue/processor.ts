// The sandboxed BullMQ processor of `bnlab worker`: runs in a worker thread (useWorkerThreads), so
// a CPU-bound trial never blocks the worker's event loop, which must renew the job's lock every
// lockDuration/2 (a blocked loop lets the lock lapse and the trial is run twice, then failed as
// stalled). Threads, unlike child-process sandboxes, die with their process when it is SIGKILLed.
// Runs as the built dist/queue/processor.js; BullMQ imports it and calls the default export per job.
//
// A trial carries its data preparation (TrialData: data set, validation size, normalisation): when it
// is not one the worker prepared at start, this thread prepares it (from the workspace's binary cache
// after the first time) and keeps the last such data set, so one fleet of workers serves every
// profile and study. Before training it checks that this worker computes what the submitter asked
// for: the same data (the preparation's fingerprint) and the same engine (numerics version + kernel
// id). A mismatch fails the trial with both values named, never a silently different result.
import { workerData } from 'node:worker_threads';
import type { SandboxedJob } from 'bullmq';
import { createKernel, engineIdentity, kernelCanThread, type Kernel } from '@bnlab/engine';
import { fromTransferable, type PreparedDataset } from '../data/index.js';
import { dataKey, prepareData } from '../stages/data.js';
import type { TrialSpec } from '../trials/executor.js';
import { runTrial } from '../trials/run-trial.js';
import { decodeSpec, encodeRecord, type JobProgress } from './protocol.js';
import type { ProcessorSetup } from './worker.js';

const setup = workerData as ProcessorSetup;
const datasets = new Map<string, PreparedDataset>(
  Object.entries(setup.datasets).map(([name, t]) => [name, fromTransferable(t)]),
);

/** Progress goes to Redis (and every submitter's event stream): at most twice a second. */
const PROGRESS_MS = 500;

/** The one data set this thread prepared for a trial beyond the worker's own (the last one asked for). */
let extra: { key: string; dataset: PreparedDataset; describe: string } | undefined;

async function dataFor(spec: TrialSpec): Promise<{ dataset: PreparedDataset; describe: string }> {
  if (!spec.data) {
    // From a submitter that does not send TrialData: only the worker's own preparations will do.
    const dataset = datasets.get(spec.preparation);
    if (!dataset) {
      throw new Error(`trial ${spec.label} trains on preparation '${spec.preparation}', which worker ${setup.worker} does not have (it has ${[...datasets.keys()].join(', ')})`);
    }
    return { dataset, describe: setup.describe[spec.preparation] ?? spec.preparation };
  }
  const key = dataKey(spec.data);
  const own = Object.entries(setup.keys).find(([, k]) => k === key)?.[0];
  if (own !== undefined) return { dataset: datasets.get(own)!, describe: setup.describe[own] };
  if (extra?.key !== key) {
    extra = undefined; // at most one extra data set per thread in memory
    const d = spec.data;
    const dataset = await prepareData(d, setup.workspace, () => undefined);
    extra = { key, dataset, describe: `${d.dataset}, ${dataset.splits.train} training / ${dataset.splits.validation} validation images, prepared for this trial` };
  }
  return extra;
}

export default async function processTrial(job: SandboxedJob): Promise<string> {
  const spec = decodeSpec(job.data);
  const { dataset, describe } = await dataFor(spec);
  if (dataset.fingerprint !== spec.dataFingerprint) {
    throw new Error(`data mismatch: trial ${spec.label} needs preparation '${spec.preparation}' with fingerprint ${spec.dataFingerprint}, worker ${setup.worker} has ${dataset.fingerprint} (${describe}); give the worker the submitter's data files`);
  }
  const kernel = kernelFor(spec.engine, spec.label);
  try {
    let last = 0;
    const record = runTrial(spec, dataset, kernel, (p) => {
      const now = Date.now();
      if (now - last < PROGRESS_MS && p.update < p.updates) return;
      last = now;
      // Not awaited: the trial runs synchronously and the message is sent to the parent at once.
      void job.updateProgress({ worker: setup.worker, ...p } satisfies JobProgress);
    }, setup.worker);
    return encodeRecord(record);
  } finally {
    kernel.dispose?.();
  }
}

/**
 * A new kernel of the id the trial's engine identity names, for every trial: a WebAssembly kernel
 * allocates from a bump allocator that is never freed, so one kernel reused by a long-running worker
 * runs out of memory after a few dozen trials. Creating one takes a few milliseconds.
 */
function kernelFor(engine: string, label: string): Kernel {
  const plus = engine.lastIndexOf('+');
  const id = plus < 0 ? '' : engine.slice(plus + 1);
  const mine = id === '' ? '(none)' : engineIdentity(id);
  if (mine !== engine) {
    throw new Error(`engine mismatch: trial ${label} was made for ${engine}, worker ${setup.worker} runs ${mine} (install the submitter's bnlab version)`);
  }
  let kernel: Kernel;
  try {
    kernel = createKernel(id, { threads: kernelCanThread(id) ? setup.threads : 1 });
  } catch (err) {
    throw new Error(`trial ${label} needs kernel '${id}', which worker ${setup.worker} cannot create: ${(err as Error).message}`);
  }
  return kernel;
}
