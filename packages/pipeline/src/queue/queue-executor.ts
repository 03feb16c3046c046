// The queue executor: a stage's trials become BullMQ jobs on Redis, trained by `bnlab worker`
// processes on any machine. One job per trial, its id derived from the trial hash, so a trial asked
// for twice (two stages, two submitters, a re-run) is trained once, and a finished job's record is
// read back instead of retrained. Where a trial ran is never part of its record's result or hash.
//
// Run protocol: subscribe to the queue's event stream from its current end, then add the jobs (a job
// that already exists is kept), then look at each job once: completed → read its record back; failed
// → retry it (a crashed trial is retried on the next run, as locally). Events drive started/progress/
// finished; a poll every few seconds re-reads the pending jobs' states, so a missed event, a job
// removed by someone else or a lost connection cannot leave the run waiting forever.
// A failed trial or an abort withdraws this run's jobs that no worker has started: the queue is left
// with finished jobs (their records readable on the next run) and nothing queued for nobody.
import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { BnlabError } from '../errors.js';
import type { TrialEvents, TrialExecutor, TrialSpec } from '../trials/executor.js';
import { bullConnection, checkRedis, CONNECT_TIMEOUT_MS, parseQueueUrl, QUEUE_NAME, QUEUE_PREFIX, withTimeout, type QueueTarget } from './connection.js';
import { decodeRecord, encodeSpec, jobIdOf, type JobProgress } from './protocol.js';

export interface QueueExecutorOptions {
  /** Re-read pending jobs' states this often (ms). */
  pollMs?: number;
  /** Fail the run when Redis has not answered for this long (ms). */
  lostAfterMs?: number;
  /**
   * Status lines while waiting (how many workers serve the queue, how many trials run and wait): the
   * first a few seconds after the jobs are queued, then every statusMs. Without it the run is silent.
   */
  onStatus?: (line: string) => void;
  statusMs?: number;
  /** Give up after this long with trials still not done (ms; undefined: wait for ever), exit code 4. */
  timeoutMs?: number;
}

/** `bnlab run`'s exit code when --queue-timeout ran out. */
export const QUEUE_TIMEOUT_EXIT = 4;

/** Finished and failed jobs are kept this long, so a record can be read back by a later run. */
const KEEP_SECONDS = 14 * 24 * 3600;

/** States in which no worker holds the job: what an abort or a failure withdraws. */
const UNSTARTED = new Set(['waiting', 'prioritized', 'delayed', 'wait']);

interface Open {
  /** The queue's own connection (ours, so we can read the event stream and job hashes with it). */
  redis: Redis;
  queue: Queue;
  events: QueueEvents;
  /** Last error either connection reported (for the lost-connection message). */
  lastError(): Error | undefined;
}

export function createQueueExecutor(url: string, opts: QueueExecutorOptions = {}): TrialExecutor {
  const target = parseQueueUrl(url);
  const pollMs = opts.pollMs ?? 2000;
  const lostAfterMs = opts.lostAfterMs ?? 20_000;
  let opening: Promise<Open> | undefined;

  return {
    name: `queue ${target.display}`,
    async run(trials, events, signal) {
      if (signal.aborted) throw abortReason(signal);
      if (trials.length === 0) return;
      opening ??= open(target);
      const o = await opening;
      await runTrials(o, target, trials, events, signal, pollMs, lostAfterMs, opts);
    },
    async close() {
      if (!opening) return;
      const o = await opening.catch(() => undefined);
      opening = undefined;
      if (!o) return;
      // close() waits for Redis to acknowledge; a dead server must not hold the process. BullMQ's
      // close has by then told its own connection to stop reconnecting; ours we end here.
      const closing = Promise.all([o.queue.close(), o.events.close()]);
      await withTimeout(closing, 2000, () => new Error('close timed out')).catch(() => undefined);
      o.redis.disconnect();
    },
  };
}

async function open(target: QueueTarget): Promise<Open> {
  await checkRedis(target);
  const connection = bullConnection(target);
  const redis = new Redis(connection);
  let last: Error | undefined;
  // An EventEmitter 'error' without a listener throws: keep the latest for the watchdog's message.
  redis.on('error', (err: Error) => { last = err; });
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: QUEUE_PREFIX });
  queue.on('error', (err) => { last = err; });
  await withTimeout(queue.waitUntilReady(), 2 * CONNECT_TIMEOUT_MS, () => new BnlabError(`Redis at ${target.display} stopped answering`));
  // Read the event stream from its end *now*, not from wherever XREAD '$' lands later: an event
  // between the two would be lost (events before it are old news, e.g. a previous run's failure).
  const tail = await redis.xrevrange(queue.keys.events, '+', '-', 'COUNT', 1);
  const events = new QueueEvents(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX, lastEventId: tail[0]?.[0] ?? '0-0' });
  events.on('error', (err) => { last = err; });
  await withTimeout(events.waitUntilReady(), 2 * CONNECT_TIMEOUT_MS, () => new BnlabError(`Redis at ${target.display} stopped answering`));
  return { redis, queue, events, lastError: () => last };
}

function runTrials(
  o: Open, target: QueueTarget, trials: TrialSpec[], events: TrialEvents, signal: AbortSignal, pollMs: number, lostAfterMs: number,
  opts: QueueExecutorOptions,
): Promise<void> {
  const { queue } = o;
  const pending = new Map<string, TrialSpec>(); // job id → trial, until its record is in or it failed
  const where = new Map<string, string>(); // job id → the worker last seen running it
  for (const t of trials) pending.set(jobIdOf(t.hash), t);
  let firstError: Error | undefined;
  let withdrawing = false;
  let settled = false;
  let lastOk = Date.now();
  let poller: NodeJS.Timeout | undefined;
  let polling = false;
  let submitted = false;
  let statusTimer: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  const t0 = Date.now();

  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearInterval(poller);
      clearTimeout(statusTimer);
      clearTimeout(deadline);
      o.events.off('active', onActive);
      o.events.off('progress', onProgress);
      o.events.off('completed', onCompleted);
      o.events.off('failed', onFailed);
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const checkDone = (): void => {
      if (pending.size === 0) finish(firstError);
    };

    const started = (jobId: string, worker: string): void => {
      const t = pending.get(jobId);
      if (!t || where.get(jobId) === worker) return;
      where.set(jobId, worker);
      events.started(t.hash, worker);
    };
    const completed = (jobId: string, value: unknown): void => {
      const t = pending.get(jobId);
      if (!t || settled) return;
      let record;
      try {
        record = decodeRecord(value, t);
      } catch (err) {
        failed(jobId, `${(err as Error).message}`);
        return;
      }
      pending.delete(jobId);
      try {
        events.finished(record);
      } catch (err) {
        // The caller could not keep the record (e.g. its store failed): that ends the run.
        firstError ??= err as Error;
        void withdraw();
      }
      checkDone();
    };
    const failed = (jobId: string, reason: string): void => {
      const t = pending.get(jobId);
      if (!t || settled) return;
      pending.delete(jobId);
      const w = where.get(jobId);
      firstError ??= new BnlabError(`trial ${t.label} failed${w ? ` on worker ${w}` : ''}: ${reason}`);
      void withdraw();
      checkDone();
    };

    function onActive({ jobId }: { jobId: string }): void {
      if (!pending.has(jobId)) return;
      // The worker's name is in the job hash ('processedBy'), written as it became active.
      o.redis.hget(queue.toKey(jobId), 'pb').then(
        (pb) => started(jobId, pb ?? 'a worker'),
        () => started(jobId, 'a worker'),
      );
    }
    function onProgress({ jobId, data }: { jobId: string; data: unknown }): void {
      const t = pending.get(jobId);
      const p = data as Partial<JobProgress> | null;
      if (!t || !p || typeof p !== 'object' || typeof p.update !== 'number') return;
      if (typeof p.worker === 'string') started(jobId, p.worker);
      events.progress(t.hash, { update: p.update, updates: p.updates ?? 0, epoch: p.epoch ?? 0, validationAccuracy: p.validationAccuracy });
    }
    function onCompleted({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }): void {
      completed(jobId, returnvalue);
    }
    function onFailed({ jobId, failedReason }: { jobId: string; failedReason: string }): void {
      failed(jobId, failedReason);
    }
    function onAbort(): void {
      void withdraw().finally(() => finish(abortReason(signal)));
    }

    /** Removes this run's jobs that no worker has started; the started ones finish and stay readable. */
    async function withdraw(): Promise<void> {
      if (withdrawing) return;
      withdrawing = true;
      const ids = [...pending.keys()];
      await withTimeout(Promise.all(ids.map(async (id) => {
        const state = await queue.getJobState(id);
        if (UNSTARTED.has(state) && (await queue.remove(id)) === 1) pending.delete(id);
      })), 3000, () => new Error('withdraw timed out')).catch(() => undefined);
      if (!signal.aborted) checkDone();
    }

    /** Reads every pending job's state: the safety net under the event stream. */
    async function poll(): Promise<void> {
      if (polling || settled) return;
      polling = true;
      try {
        await Promise.all([...pending].map(async ([id, t]) => {
          const state = await queue.getJobState(id);
          if (state === 'completed' || state === 'failed') {
            const job = await Job.fromId(queue, id);
            if (!job) return; // removed in between: the next poll re-adds it
            if (state === 'completed') completed(id, job.returnvalue);
            else failed(id, job.failedReason);
          } else if (state === 'unknown' && !withdrawing && pending.has(id)) {
            await add(t);
          }
        }));
        lastOk = Date.now();
      } finally {
        polling = false;
      }
    }

    /** The first look at each job, before any poll: what an earlier run left finished is read back, what it left failed is retried. */
    async function submit(): Promise<void> {
      await Promise.all([...pending].map(async ([id, t]) => {
        const state = await queue.getJobState(id);
        if (state === 'unknown') {
          // Should someone add it in between, add() keeps their job (BullMQ emits 'duplicated').
          await add(t);
          return;
        }
        if (state !== 'completed' && state !== 'failed') return; // queued or running: wait for it
        const job = await Job.fromId(queue, id);
        if (!job || !pending.has(id)) return;
        if (state === 'completed') completed(id, job.returnvalue);
        else await retry(job, t);
      }));
      lastOk = Date.now();
    }

    /** Every pollMs: give up when Redis has not answered for lostAfterMs (commands wait while it is away), else poll. */
    function tick(): void {
      if (Date.now() - lastOk > lostAfterMs) {
        const cause = o.lastError()?.message.split('\n')[0] ?? 'no answer';
        finish(new BnlabError(`lost the connection to Redis at ${target.display} for ${Math.round(lostAfterMs / 1000)} s: ${cause}`));
      } else if (submitted) {
        poll().catch(() => undefined); // a failed poll only leaves lastOk behind; the check above decides
      }
    }

    async function retry(job: Job, t: TrialSpec): Promise<void> {
      try {
        await job.retry('failed');
      } catch (err) {
        // Someone else retried it first (it is no longer failed): then it is simply pending.
        if ((await queue.getJobState(job.id!)) === 'failed') throw new Error(`cannot retry trial ${t.label}: ${(err as Error).message}`);
      }
    }

    /** What is left: pending trials by state, and the workers connected to the queue. */
    async function census(): Promise<{ workers: number; running: number; waiting: number }> {
      const [workers, states] = await Promise.all([queue.getWorkers(), Promise.all([...pending.keys()].map((id) => queue.getJobState(id)))]);
      const running = states.filter((s) => s === 'active').length;
      return { workers: workers.length, running, waiting: states.length - running };
    }

    async function status(): Promise<void> {
      if (settled || !opts.onStatus) return;
      const c = await census().catch(() => undefined);
      if (settled || !c) return;
      const waited = Math.round((Date.now() - t0) / 1000);
      opts.onStatus(c.workers === 0
        ? `queue ${target.display}: no worker is serving the queue; ${c.waiting + c.running} trial${c.waiting + c.running === 1 ? '' : 's'} waiting (${waited} s). Start one: bnlab worker --queue ${target.display}`
        : `queue ${target.display}: ${c.workers} worker${c.workers === 1 ? '' : 's'}, ${c.running} running, ${c.waiting} waiting (${waited} s)`);
      statusTimer = setTimeout(() => void status(), opts.statusMs ?? 15_000);
    }

    async function timedOut(): Promise<void> {
      if (settled) return;
      const c = await census().catch(() => undefined);
      const left = c ? `${c.running} running, ${c.waiting} waiting, ${c.workers} worker${c.workers === 1 ? '' : 's'} serving the queue` : `${pending.size} not done`;
      firstError ??= new BnlabError(
        `--queue-timeout: ${pending.size} of ${trials.length} trials not done after ${Math.round(opts.timeoutMs! / 1000)} s (${left}); finished trials are stored, unstarted jobs withdrawn`,
        QUEUE_TIMEOUT_EXIT,
      );
      await withdraw();
      finish(firstError);
    }

    function add(t: TrialSpec): Promise<unknown> {
      return queue.add('trial', encodeSpec(t), {
        jobId: jobIdOf(t.hash),
        attempts: 1,
        removeOnComplete: { age: KEEP_SECONDS },
        removeOnFail: { age: KEEP_SECONDS },
      });
    }

    o.events.on('active', onActive);
    o.events.on('progress', onProgress);
    o.events.on('completed', onCompleted);
    o.events.on('failed', onFailed);
    signal.addEventListener('abort', onAbort, { once: true });

    void (async () => {
      poller = setInterval(tick, pollMs);
      if (opts.timeoutMs !== undefined) deadline = setTimeout(() => void timedOut(), opts.timeoutMs);
      await submit();
      submitted = true;
      checkDone();
      if (!settled && opts.onStatus) statusTimer = setTimeout(() => void status(), Math.min(3000, opts.statusMs ?? 3000));
    })().catch((err: Error) => finish(new BnlabError(`queue at ${target.display}: ${err.message.split('\n')[0]}`)));
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new BnlabError('interrupted', 130);
}
