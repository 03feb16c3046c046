// `bnlab worker` processes (the built CLI) serving real trials on the real CIFAR-10 subset through a
// redis-server this file starts, submitted by the queue executor (from source). Checks: a queued
// trial's record has the same result bytes as `runTrial` here; a trial submitted twice is trained
// once; a worker SIGKILLed mid-trial loses nothing (another worker trains it); a worker whose data
// differs fails the trial naming both fingerprints; a worker serves trials of another profile (it
// prepares the data the trial carries); an unreachable Redis is one clear error.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createKernel, defaultKernelId, engineIdentity, normalizeTrainConfig } from '@bnlab/engine';
import { NORMALISATION, prepareDataset, type PreparedDataset } from '../packages/pipeline/src/data/index.js';
import { createQueueExecutor } from '../packages/pipeline/src/queue/queue-executor.js';
import type { TrialEvents, TrialRecord, TrialSpec } from '../packages/pipeline/src/trials/executor.js';
import { identityOf, trialSpec } from '../packages/pipeline/src/trials/identity.js';
import { runTrial } from '../packages/pipeline/src/trials/run-trial.js';
import { canonicalJson } from '../packages/pipeline/src/util/canonical-json.js';
import { cifar10Dir as dataDir } from './helpers/cifar10.js';
import { freePort, startRedis, type RedisServer } from './helpers/redis.js';
import { describeWith, REDIS } from './helpers/requires.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');

interface CliWorker {
  name: string;
  child: ResultPromise;
  log(): string;
}

describeWith([REDIS], 'bnlab worker over a real redis-server', () => {
  let redis: RedisServer;
  let ws: string;
  let data: PreparedDataset;
  const kernelId = defaultKernelId();
  let workers: CliWorker[] = [];

  const env = (root: string) => ({ BNLAB_WORKSPACE: root, BNLAB_CIFAR10_DIR: dataDir, CI: 'true', NX_TASK_TARGET_CONFIGURATION: '' });

  /** Starts `bnlab worker` and resolves once it serves (its data prepared, Redis reached). */
  async function startWorker(args: string[] = [], root = ws): Promise<CliWorker> {
    // No forceKillAfterDelay: execa's kill('SIGTERM') would SIGKILL the worker 5 s later, in the middle
    // of the trial it was finishing whenever the machine is loaded (the hang this spec once had: the
    // job stayed active with no worker left to requeue it).
    const child = execa(process.execPath, [bin, 'worker', '--queue', redis.url, '-c', 'smoke', ...args], { cwd: root, env: env(root), reject: false, buffer: false, forceKillAfterDelay: false });
    let text = '';
    child.stderr!.on('data', (b: Buffer) => { text += b.toString(); });
    const w: CliWorker = { name: `${hostname()}:${child.pid}`, child, log: () => text };
    workers.push(w);
    // the startup lines end with one per preparation; stderr may deliver them in several chunks
    const started = () => text.includes(`bnlab worker ${w.name}: serving`) && /data 'final': .*fingerprint [0-9a-f]{64}\n/.test(text);
    await waitFor(started, 30_000, () => `worker did not start:\n${text}`);
    return w;
  }

  /** A smoke-sized trial on the 'main' preparation (2·ns updates; ns 6 ≈ 1 s, ns 600 ≈ 8 s on this machine). */
  function trial(lambda: number, ns = 6): TrialSpec {
    const config = normalizeTrainConfig({
      hidden: [50, 50], batchNorm: true, init: { kind: 'he' }, lambda, etaMin: 1e-5, etaMax: 0.1, batch: 50, ns, cycles: 1, pointsPerCycle: 2, seed: 1,
    });
    return trialSpec({ config: { ...config }, preparation: 'main', dataFingerprint: data.fingerprint, engine: engineIdentity(kernelId) }, `queue-test λ=${lambda} ns=${ns}`);
  }

  function collect() {
    const records = new Map<string, TrialRecord>();
    const started: [string, string][] = [];
    const events: TrialEvents = {
      started: (h, w) => started.push([h, w]),
      progress: () => {},
      finished: (r) => records.set(r.hash, r),
    };
    return { records, started, events };
  }

  beforeAll(async () => {
    redis = await startRedis();
    ws = mkdtempSync(path.join(tmpdir(), 'bnlab-queue-'));
    copyFileSync(path.join(repo, 'experiments.yaml'), path.join(ws, 'experiments.yaml'));
    // The smoke profile's 'main' preparation, as the workers prepare it (validation 100).
    data = await prepareDataset({ dataset: 'cifar10', validation: 100, workspaceRoot: ws, env: { BNLAB_CIFAR10_DIR: dataDir } });
  });
  afterEach(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.child));
    workers = [];
  });
  afterAll(async () => {
    await redis?.stop();
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('returns the record runTrial computes here, byte for byte in its result, and trains a trial submitted twice once', async () => {
    const w = await startWorker();
    const t = trial(1e-3);
    const [ex1, ex2] = [createQueueExecutor(redis.url, { pollMs: 250 }), createQueueExecutor(redis.url, { pollMs: 250 })];
    const [c1, c2] = [collect(), collect()];
    try {
      await Promise.all([ex1.run([t], c1.events, new AbortController().signal), ex2.run([t], c2.events, new AbortController().signal)]);
      const again = collect();
      await ex1.run([t], again.events, new AbortController().signal); // finished: read back, not retrained
      const local = runTrial(t, data, createKernel(kernelId), () => {}, 'here');
      for (const r of [c1.records.get(t.hash), c2.records.get(t.hash), again.records.get(t.hash)]) {
        expect(r?.meta.worker).toBe(w.name);
        expect(canonicalJson(r!.result)).toBe(canonicalJson(local.result));
        expect(canonicalJson(r!.identity)).toBe(canonicalJson(local.identity));
      }
      expect(c1.started).toContainEqual([t.hash, w.name]);
      // One "done" line for the trial in the worker's log: it trained once for three requests.
      expect(w.log().split('\n').filter((l) => l.startsWith('done') && l.includes(t.label))).toHaveLength(1);
    } finally {
      await ex1.close();
      await ex2.close();
    }
  });

  it('re-runs on another worker a trial whose worker was SIGKILLed mid-trial', async () => {
    const [a, b] = [await startWorker(), await startWorker()];
    const t = trial(2e-3, 600); // 1200 updates, about 8 s here: long enough to be killed in the middle
    const ex = createQueueExecutor(redis.url, { pollMs: 250 });
    const c = collect();
    let killedAt = 0;
    let victim: CliWorker | undefined;
    c.events.started = (h, where) => {
      c.started.push([h, where]);
      if (victim) return;
      victim = where === a.name ? a : where === b.name ? b : undefined;
      if (victim) {
        victim.child.kill('SIGKILL');
        killedAt = Date.now();
      }
    };
    try {
      await ex.run([t], c.events, new AbortController().signal);
    } finally {
      await ex.close();
    }
    const survivor = victim === a ? b : a;
    expect(victim, 'the trial never started on either worker').toBeDefined();
    expect((await victim!.child).signal).toBe('SIGKILL');
    const record = c.records.get(t.hash)!;
    expect(record.meta.worker).toBe(survivor.name);
    expect(c.started.map(([, w]) => w)).toEqual([victim!.name, survivor.name]);
    expect(record.result.history.at(-1)?.update).toBe(1200); // trained to the end
    console.log(`SIGKILL → finished on the other worker in ${((Date.now() - killedAt) / 1000).toFixed(1)} s (trial ${record.meta.computeSeconds.toFixed(1)} s)`);
  });

  it('on SIGTERM finishes the trial in flight, then exits 0', async () => {
    const w = await startWorker();
    // Long enough (3000 updates) to be seen in flight on any data, the committed fixture's 200 images too.
    const t = trial(4e-3, 1500);
    const ex = createQueueExecutor(redis.url, { pollMs: 250 });
    const c = collect();
    let killed = false;
    c.events.started = (h, where) => {
      c.started.push([h, where]);
      // The only worker: the first sign of the job being active ('a worker' until its name is read) is it.
      if (!killed) {
        killed = true;
        w.child.kill('SIGTERM');
      }
    };
    try {
      // A hang becomes a failure that shows what the worker said.
      await deadline(ex.run([t], c.events, new AbortController().signal), 240_000, () => `no record after 240 s; the worker's exit code ${w.child.exitCode}, signal ${w.child.signalCode}; its log:\n${w.log()}`);
    } finally {
      await ex.close();
      if (!killed) w.child.kill('SIGKILL'); // never left waiting on a worker nobody stopped
    }
    expect(killed, 'the trial was never seen in flight').toBe(true);
    expect(c.records.get(t.hash)?.meta.worker).toBe(w.name);
    const exit = await w.child;
    expect(exit.exitCode, w.log()).toBe(0);
    expect(w.log()).toContain('SIGTERM: finishing the trials in flight');
    expect(w.log()).toMatch(/done {4}queue-test λ=0\.004 ns=1500 [\s\S]*worker stopped/);
  });

  it('serves more trials than one kernel can allocate for', async () => {
    // A WebAssembly kernel never frees: each trial's buffers (~12 MB here) come out of its 256 MiB,
    // so a worker reusing one kernel failed after about 15 trials. 24 one-update-pair trials.
    const w = await startWorker();
    const trials = Array.from({ length: 24 }, (_, i) => trial(1e-4 * (i + 1), 1));
    const ex = createQueueExecutor(redis.url, { pollMs: 250 });
    const c = collect();
    try {
      await ex.run(trials, c.events, new AbortController().signal);
    } finally {
      await ex.close();
    }
    expect(c.records.size).toBe(24);
    expect(new Set([...c.records.values()].map((r) => r.meta.worker))).toEqual(new Set([w.name]));
  });

  it('fails a trial on a worker whose data differs, naming both fingerprints', async () => {
    // Another workspace whose smoke profile keeps 200 validation images: other data, other fingerprint.
    const other = mkdtempSync(path.join(tmpdir(), 'bnlab-queue-other-'));
    try {
      const yaml = readFileSync(path.join(repo, 'experiments.yaml'), 'utf8');
      const edited = yaml.replace(/(smoke:\n\s+data:\n\s+validation: )100/, '$1200');
      expect(edited).not.toBe(yaml);
      writeFileSync(path.join(other, 'experiments.yaml'), edited);
      const w = await startWorker([], other);
      const theirs = /data 'main': .*fingerprint ([0-9a-f]{64})/.exec(w.log())?.[1];
      expect(theirs).toMatch(/^[0-9a-f]{64}$/);
      expect(theirs).not.toBe(data.fingerprint);
      const t = trial(3e-3);
      const ex = createQueueExecutor(redis.url, { pollMs: 250 });
      try {
        const err = await ex.run([t], collect().events, new AbortController().signal).then(() => undefined, (e: Error) => e);
        expect(err?.message).toContain(`trial ${t.label} failed on worker ${w.name}: data mismatch`);
        expect(err?.message).toContain(data.fingerprint);
        expect(err?.message).toContain(theirs);
      } finally {
        await ex.close();
      }
      // The worker says so too (its line may come a moment after the submitter heard).
      await waitFor(() => /failed {2}queue-test λ=0\.003 ns=6 {2}\S+: data mismatch/.test(w.log()), 5000, () => w.log());
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  // Issue 17, item 9: a worker used to serve one profile's data (-c); trials of another failed.
  it("serves a trial of another profile: it prepares the data the trial carries; other data files still fail naming both fingerprints", async () => {
    const w = await startWorker(['-c', 'default']); // prepares 10 % validation; the trial wants 100 images
    const carried = { dataset: 'cifar10' as const, validation: 100, normalisation: NORMALISATION };
    const t = trialSpec(identityOf(trial(4e-3)), 'queue-test another profile', carried);
    expect(t.hash).toBe(trial(4e-3).hash); // what a trial carries is not hashed
    const ex = createQueueExecutor(redis.url, { pollMs: 250 });
    const c = collect();
    try {
      await ex.run([t], c.events, new AbortController().signal);
      const local = runTrial(t, data, createKernel(kernelId), () => {}, 'here');
      expect(canonicalJson(c.records.get(t.hash)!.result)).toBe(canonicalJson(local.result));
      expect(c.records.get(t.hash)!.meta.worker).toBe(w.name);
      // The same preparation asked with a fingerprint this worker's files do not give.
      const other = 'f'.repeat(64);
      const bad = trialSpec({ ...identityOf(trial(5e-3)), dataFingerprint: other }, 'queue-test other data', carried);
      const err = await ex.run([bad], collect().events, new AbortController().signal).then(() => undefined, (e: Error) => e);
      expect(err?.message).toContain('data mismatch');
      expect(err?.message).toContain(other);
      expect(err?.message).toContain(data.fingerprint);
    } finally {
      await ex.close();
    }
  });

  it('exits 1 with one line naming the URL within a few seconds when Redis is unreachable', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const t0 = Date.now();
    const r = await execa(process.execPath, [bin, 'worker', '--queue', url, '-c', 'smoke'], { cwd: ws, env: env(ws), reject: false });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^bnlab: cannot reach Redis at ${url}: .*ECONNREFUSED`))]);
  });
});

async function deadline<T>(p: Promise<T>, ms: number, why: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(why())), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(ok: () => boolean, ms: number, why: () => string): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}
