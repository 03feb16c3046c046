// The queue executor against a real redis-server, with an in-test BullMQ worker standing in for
// `bnlab worker` (the real worker and real trials are tested end to end in test/queue-*.test.ts).
// What is checked here is the executor's protocol: one job per trial hash, records read back byte
// for byte, failures named and retried on the next run, abort withdrawing unstarted jobs, and a
// clear error when Redis is unreachable or goes away.
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { TrainResult } from '@bnlab/report';
import { freePort, startRedis, type RedisServer } from '../../../../test/helpers/redis.js';
import { describeWith, REDIS } from '../../../../test/helpers/requires.js';
import type { TrialEvents, TrialRecord, TrialSpec } from '../trials/executor.js';
import { trialSpec } from '../trials/identity.js';
import { canonicalJson } from '../util/canonical-json.js';
import { bullConnection, parseQueueUrl, QUEUE_NAME, QUEUE_PREFIX } from './connection.js';
import { decodeSpec, encodeRecord, jobIdOf } from './protocol.js';
import { createQueueExecutor } from './queue-executor.js';

const spec = (lambda: number): TrialSpec => trialSpec({
  config: { hidden: [5], batchNorm: true, lambda, seed: 1 },
  preparation: 'main',
  dataFingerprint: 'f'.repeat(64),
  engine: 'bnlab-engine/1+ts-f64',
}, `λ=${lambda}`);

/** A record whose numbers come from the hash, with doubles that need all 17 digits. */
function recordFor(s: TrialSpec, worker: string): TrialRecord {
  const u = parseInt(s.hash.slice(0, 8), 16) / 2 ** 32;
  const result: TrainResult = {
    accuracy: { train: u, validation: u / 3, test: 1 / 3 },
    cost: { train: 0.1 + 0.2, validation: 2 + u, test: 2.5 },
    loss: { train: 1.25, validation: 1.75, test: 2.25 },
    history: [{ update: 10, epoch: 1, eta: 0.01, cost: { train: 1.5, validation: 2 }, loss: { train: 1.25, validation: 1.75 }, accuracy: { train: 0.5, validation: u } }],
    diverged: false,
  };
  return { hash: s.hash, identity: { config: s.config, preparation: s.preparation, dataFingerprint: s.dataFingerprint, engine: s.engine }, result, meta: { computeSeconds: 0.5, host: 'spec', finishedAt: '2026-01-01T00:00:00.000Z', worker } };
}

interface Collected {
  events: TrialEvents;
  started: [string, string][];
  progress: string[];
  records: Map<string, TrialRecord>;
}
function collect(): Collected {
  const c: Collected = {
    started: [],
    progress: [],
    records: new Map(),
    events: {
      started: (h, w) => c.started.push([h, w]),
      progress: (h) => c.progress.push(h),
      finished: (r) => c.records.set(r.hash, r),
    },
  };
  return c;
}

describeWith([REDIS], 'queue executor on a real redis-server', () => {
  let redis: RedisServer;
  let admin: Redis;
  let workers: Worker[] = [];
  let calls: Map<string, number>;

  /** An in-test worker: trains nothing, returns recordFor(spec) after `ms`; `fail` decides failures. */
  function startWorker(opts: { ms: number; concurrency?: number; fail?: (s: TrialSpec, n: number) => string | undefined }): Worker {
    const w = new Worker(QUEUE_NAME, async (job: Job) => {
      const s = decodeSpec(job.data);
      const n = (calls.get(s.hash) ?? 0) + 1;
      calls.set(s.hash, n);
      await job.updateProgress({ worker: 'spec-worker', update: 0, updates: 10, epoch: 0 });
      await new Promise((r) => setTimeout(r, opts.ms));
      const why = opts.fail?.(s, n);
      if (why) throw new Error(why);
      return encodeRecord(recordFor(s, 'spec-worker'));
    }, { connection: bullConnection(parseQueueUrl(redis.url)), prefix: QUEUE_PREFIX, name: 'spec-worker', concurrency: opts.concurrency ?? 2 });
    workers.push(w);
    return w;
  }

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis({ path: redis.url });
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });
  beforeEach(async () => {
    calls = new Map();
    await admin.flushall();
  });
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.close(true)));
    workers = [];
  });

  it('trains a trial asked for twice once, and reads a finished one back byte for byte', async () => {
    startWorker({ ms: 300 });
    const [a, b] = [spec(1e-3), spec(2e-3)];
    const ex1 = createQueueExecutor(redis.url, { pollMs: 200 });
    const ex2 = createQueueExecutor(redis.url, { pollMs: 200 });
    const c1 = collect();
    const c2 = collect();
    try {
      // Two submitters at once, both asking for `a`.
      await Promise.all([ex1.run([a, b], c1.events, new AbortController().signal), ex2.run([a], c2.events, new AbortController().signal)]);
      expect(Object.fromEntries(calls)).toEqual({ [a.hash]: 1, [b.hash]: 1 });
      const expected = encodeRecord(recordFor(a, 'spec-worker'));
      expect(canonicalJson(c1.records.get(a.hash))).toBe(expected);
      expect(canonicalJson(c2.records.get(a.hash))).toBe(expected);
      expect(c1.records.size).toBe(2);
      expect(c1.started.map(([, w]) => w)).toContain('spec-worker');

      // A later run finds both finished: nothing is trained again, the records are the same bytes.
      const c3 = collect();
      await ex2.run([b, a], c3.events, new AbortController().signal);
      expect(Object.fromEntries(calls)).toEqual({ [a.hash]: 1, [b.hash]: 1 });
      expect(canonicalJson(c3.records.get(b.hash))).toBe(canonicalJson(c1.records.get(b.hash)));
      expect(canonicalJson(c3.records.get(a.hash))).toBe(expected);
      expect(await admin.exists(`${QUEUE_PREFIX}:${QUEUE_NAME}:${jobIdOf(a.hash)}`)).toBe(1);
    } finally {
      await ex1.close();
      await ex2.close();
    }
  });

  it('fails the run naming the failed trial and its worker; the next run retries it', async () => {
    const [ok, bad] = [spec(1e-2), spec(5e-2)];
    startWorker({ ms: 200, fail: (s, n) => (s.hash === bad.hash && n === 1 ? 'boom: out of cheese' : undefined) });
    const ex = createQueueExecutor(redis.url, { pollMs: 200 });
    try {
      const c = collect();
      await expect(ex.run([ok, bad], c.events, new AbortController().signal))
        .rejects.toThrow(`trial ${bad.label} failed on worker spec-worker: boom: out of cheese`);
      expect(c.records.has(ok.hash)).toBe(true); // in flight alongside it: it finished and was kept
      expect(c.records.has(bad.hash)).toBe(false);

      const again = collect();
      await ex.run([ok, bad], again.events, new AbortController().signal);
      expect(calls.get(bad.hash)).toBe(2);
      expect(calls.get(ok.hash)).toBe(1);
      expect(again.records.get(bad.hash)?.hash).toBe(bad.hash);
    } finally {
      await ex.close();
    }
  });

  it('rejects a returned record that does not belong to the trial', async () => {
    const s = spec(3e-3);
    const other = spec(4e-3);
    const w = new Worker(QUEUE_NAME, async () => encodeRecord(recordFor(other, 'liar')), { connection: bullConnection(parseQueueUrl(redis.url)), prefix: QUEUE_PREFIX, name: 'liar' });
    workers.push(w);
    const ex = createQueueExecutor(redis.url, { pollMs: 200 });
    try {
      await expect(ex.run([s], collect().events, new AbortController().signal)).rejects.toThrow(/trial λ=0.003 failed.*invalid record/);
    } finally {
      await ex.close();
    }
  });

  it('on abort stops waiting, withdraws unstarted jobs, and a re-run reads back the one in flight', async () => {
    startWorker({ ms: 1500, concurrency: 1 });
    const trials = [spec(1e-4), spec(2e-4), spec(3e-4)];
    const ex = createQueueExecutor(redis.url, { pollMs: 200 });
    try {
      const ac = new AbortController();
      const c = collect();
      const first = new Promise<string>((resolve) => {
        c.events.started = (h) => resolve(h);
      });
      const run = ex.run(trials, c.events, ac.signal);
      const startedHash = await first;
      const t0 = Date.now();
      ac.abort(new Error('interrupted by test'));
      await expect(run).rejects.toThrow('interrupted by test');
      expect(Date.now() - t0).toBeLessThan(1000); // did not wait for the 1.5 s trial
      const states = await Promise.all(trials.map((t) => admin.exists(`${QUEUE_PREFIX}:${QUEUE_NAME}:${jobIdOf(t.hash)}`)));
      expect(states).toEqual(trials.map((t) => (t.hash === startedHash ? 1 : 0)));

      const again = collect();
      await ex.run(trials, again.events, new AbortController().signal);
      expect(again.records.size).toBe(3);
      expect(trials.map((t) => calls.get(t.hash))).toEqual([1, 1, 1]); // the one in flight was not trained twice
    } finally {
      await ex.close();
    }
  });

  it('fails with one line naming the URL when nothing listens there', async () => {
    const port = await freePort();
    for (const url of [`redis://127.0.0.1:${port}`, `${redis.dir}/nobody-here.sock`]) {
      const ex = createQueueExecutor(url);
      const t0 = Date.now();
      await expect(ex.run([spec(1)], collect().events, new AbortController().signal)).rejects.toThrow(`cannot reach Redis at ${url}: `);
      expect(Date.now() - t0).toBeLessThan(5000);
      await ex.close();
    }
  });

  it('fails within the connect timeout when the server accepts but never answers', async () => {
    const port = await freePort();
    const mute: Server = createServer(() => {}).listen(port, '127.0.0.1');
    try {
      const ex = createQueueExecutor(`redis://127.0.0.1:${port}`);
      const t0 = Date.now();
      await expect(ex.run([spec(1)], collect().events, new AbortController().signal)).rejects.toThrow(`cannot reach Redis at redis://127.0.0.1:${port}: `);
      expect(Date.now() - t0).toBeLessThan(8000);
      await ex.close();
    } finally {
      mute.close();
    }
  });

  it('refuses a server that may evict jobs', async () => {
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const ex = createQueueExecutor(redis.url);
      await expect(ex.run([spec(1)], collect().events, new AbortController().signal)).rejects.toThrow("maxmemory-policy 'allkeys-lru': BullMQ needs 'noeviction'");
      await ex.close();
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});

describeWith([REDIS], 'queue executor when Redis goes away mid-run', () => {
  it('fails naming the URL instead of waiting forever', async () => {
    const redis = await startRedis({ tcp: true });
    const ex = createQueueExecutor(redis.url, { pollMs: 250, lostAfterMs: 2000 });
    try {
      const c = collect();
      // No worker: the run waits; then the server dies under it.
      const run = ex.run([spec(7e-3)], c.events, new AbortController().signal);
      await new Promise((r) => setTimeout(r, 500));
      await redis.stop();
      const t0 = Date.now();
      await expect(run).rejects.toThrow(`lost the connection to Redis at ${redis.url} for 2 s`);
      expect(Date.now() - t0).toBeLessThan(6000);
    } finally {
      await ex.close();
      await redis.stop();
    }
  });
});
