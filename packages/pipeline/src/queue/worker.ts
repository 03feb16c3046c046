// A queue worker: a BullMQ Worker on the trials queue whose jobs run in the sandboxed processor
// (processor.ts) on worker threads that share this process's prepared data (SharedArrayBuffer, no
// copy). Lock and stalled-check settings:
//   lockDuration 5 s   the lock is renewed every 2.5 s by this process's event loop, which stays free
//                      because trials run on threads; a SIGKILLed worker's lock lapses within 5 s;
//   stalledInterval 5 s every live worker looks for lapsed locks this often, so another worker re-runs
//                      a killed worker's trial within about 10 s (8.5 s measured in issue 8; with
//                      BullMQ's defaults, 30 s each, about 60 s);
//   maxStalledCount 1  a trial whose worker dies is re-run once; dying twice fails it (a trial that
//                      kills every worker that takes it, e.g. out of memory, should fail, not loop).
// The cost is one small Lua script per worker every 5 s and one lock renewal per running trial
// every 2.5 s: nothing next to a trial.
import os from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { TransferablePrepared } from '../data/index.js';
import type { TrialRecord } from '../trials/executor.js';
import { bullConnection, checkRedis, parseQueueUrl, QUEUE_NAME, QUEUE_PREFIX, withTimeout } from './connection.js';

export const LOCK_DURATION_MS = 5000;
export const STALLED_INTERVAL_MS = 5000;

/** What every processor thread receives as workerData. */
export interface ProcessorSetup {
  /** This worker's name, `host:pid`: in progress events, records' meta and error messages. */
  worker: string;
  /** The prepared data by preparation name ('main', 'final'); SharedArrayBuffers are shared, not copied. */
  datasets: Record<string, TransferablePrepared>;
  /** One line per preparation for mismatch messages, e.g. "cifar10, 517 validation images, profile smoke". */
  describe: Record<string, string>;
  /** dataKey() of each prepared data set, by preparation name: a trial carrying TrialData finds its data by this. */
  keys: Record<string, string>;
  /** Where the worker prepares (and caches) the data of trials its prepared sets do not cover. */
  workspace: string;
  /** Threads of each trial's kernel where it can share its work (helpers stopped when the trial ends). */
  threads: number;
}

export interface QueueWorkerOptions {
  url: string;
  concurrency: number;
  /** Threads per trial (default 1). */
  threads?: number;
  datasets: Record<string, TransferablePrepared>;
  describe: Record<string, string>;
  keys: Record<string, string>;
  workspace: string;
  /** One line per event for the user (stderr). */
  log: (line: string) => void;
  /** The processor's built file; tests may point elsewhere. */
  processor?: URL;
  name?: string;
}

export interface QueueWorker {
  name: string;
  /** Stops taking trials; resolves once the ones in flight finished (force: abandon them at once). */
  stop(force?: boolean): Promise<void>;
}

export function workerName(): string {
  return `${os.hostname()}:${process.pid}`;
}

export async function startQueueWorker(opts: QueueWorkerOptions): Promise<QueueWorker> {
  const target = parseQueueUrl(opts.url);
  await checkRedis(target);
  const name = opts.name ?? workerName();
  const setup: ProcessorSetup = { worker: name, datasets: opts.datasets, describe: opts.describe, keys: opts.keys, workspace: opts.workspace, threads: opts.threads ?? 1 };
  const processor = opts.processor ?? new URL('./processor.js', import.meta.url);
  const worker = new Worker(QUEUE_NAME, processor, {
    connection: bullConnection(target),
    prefix: QUEUE_PREFIX,
    name,
    concurrency: opts.concurrency,
    useWorkerThreads: true,
    workerThreadsOptions: { workerData: setup },
    lockDuration: LOCK_DURATION_MS,
    stalledInterval: STALLED_INTERVAL_MS,
    maxStalledCount: 1,
  });

  const startedAt = new Map<string, number>();
  const label = (job: Job | undefined): string => (job?.data as { label?: string } | undefined)?.label ?? job?.id ?? 'a trial';
  worker.on('active', (job) => { startedAt.set(job.id!, Date.now()); });
  worker.on('completed', (job, value: string) => {
    const secs = (Date.now() - (startedAt.get(job.id!) ?? Date.now())) / 1000;
    startedAt.delete(job.id!);
    opts.log(`done    ${label(job)}  ${name}  ${secs.toFixed(1)} s  ${summary(value)}`);
  });
  worker.on('failed', (job, err) => {
    if (job) startedAt.delete(job.id!);
    opts.log(`failed  ${label(job)}  ${name}: ${err.message.split('\n')[0]}`);
  });
  worker.on('stalled', (jobId) => opts.log(`requeued ${jobId}: its worker stopped renewing the lock (killed or stuck)`));
  // A lost connection is retried by BullMQ; say so once per outage, not once per attempt.
  let down = false;
  worker.on('error', (err) => {
    if (down) return;
    down = true;
    opts.log(`Redis at ${target.display}: ${err.message.split('\n')[0]} (retrying)`);
  });
  await withTimeout(worker.waitUntilReady(), 10_000, () => new Error(`Redis at ${target.display} stopped answering`));
  (await worker.getBackend().client).on('ready', () => {
    if (down) opts.log(`Redis at ${target.display}: connected again`);
    down = false;
  });

  let stopping: Promise<void> | undefined;
  return {
    name,
    stop(force = false) {
      if (force) return worker.close(true);
      stopping ??= worker.close();
      return stopping;
    },
  };
}

/** "val 0.412, 3.2e+0 cost" style summary of a returned record for the log line. */
function summary(value: string): string {
  try {
    const r = JSON.parse(value) as TrialRecord;
    const acc = r.result.accuracy.validation;
    return `validation accuracy ${acc.toFixed(4)}${r.result.diverged ? ' (diverged)' : ''}`;
  } catch {
    return '';
  }
}
