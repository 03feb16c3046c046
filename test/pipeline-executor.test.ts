// The local executor's pool (built code: worker threads run dist/ files) with a fake worker that can
// succeed, throw or die, so failure handling is tested without training.
import { describe, expect, it } from 'vitest';
import type { TrialEvents, TrialRecord, TrialSpec } from '../packages/pipeline/src/trials/executor.js';
import { localExecutor } from '../packages/pipeline/dist/trials/local-executor.js';

const fakeWorker = new URL('./fixtures/fake-trial-worker.mjs', import.meta.url);

function spec(i: number, behaviour: 'ok' | 'throw' | 'exit', ms = 0): TrialSpec {
  return {
    hash: String(i).padStart(64, '0'),
    label: `t${i} ${behaviour}`,
    config: { behaviour, ms },
    preparation: 'main',
    dataFingerprint: 'f'.repeat(64),
    engine: 'test',
  };
}

function recorder() {
  const finished: TrialRecord[] = [];
  const started: string[] = [];
  const progress: string[] = [];
  const events: TrialEvents = {
    started: (hash, where) => started.push(`${hash.slice(-2)}@${where}`),
    progress: (hash) => progress.push(hash.slice(-2)),
    finished: (r) => finished.push(r),
  };
  return { events, finished, started, progress };
}

const pool = (workers: number) => localExecutor({ workers, kernelId: 'ts-f32', datasets: {}, workerUrl: fakeWorker });

describe('local executor', () => {
  it('spreads trials over the workers and reports every one', async () => {
    const ex = pool(2);
    const r = recorder();
    try {
      await ex.run([1, 2, 3, 4, 5].map((i) => spec(i, 'ok', 20)), r.events, new AbortController().signal);
    } finally {
      await ex.close();
    }
    expect(r.finished.map((x) => x.hash.slice(-1)).sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(new Set(r.finished.map((x) => x.meta.worker))).toEqual(new Set(['local#1', 'local#2']));
    expect(r.progress.sort()).toEqual(['01', '02', '03', '04', '05']);
    expect(ex.name).toBe('local (2 workers)');
  });

  it('fails with the thrown error after the trials in flight finish, and starts no more', async () => {
    const ex = pool(2);
    const r = recorder();
    const run = ex.run([spec(1, 'throw', 10), spec(2, 'ok', 200), spec(3, 'ok'), spec(4, 'ok')], r.events, new AbortController().signal);
    await expect(run).rejects.toThrow('trial t1 throw failed on local#1: boom in t1 throw');
    await ex.close();
    // Trial 2 was in flight on the other worker: it finished and was reported; 3 and 4 never started.
    expect(r.finished.map((x) => x.hash.slice(-1))).toEqual(['2']);
    expect(r.started.map((s) => s.slice(0, 2))).toEqual(['01', '02']);
  });

  it('fails with a dead worker, naming the trial it was training', async () => {
    const ex = pool(1);
    const r = recorder();
    const run = ex.run([spec(1, 'ok'), spec(2, 'exit'), spec(3, 'ok')], r.events, new AbortController().signal);
    await expect(run).rejects.toThrow(/trial t2 exit: worker local#1 died \(exited with code 7\)/);
    expect(r.finished.map((x) => x.hash.slice(-1))).toEqual(['1']);
    // The pool replaces the dead worker on the next run.
    const again = recorder();
    await ex.run([spec(3, 'ok')], again.events, new AbortController().signal);
    expect(again.finished[0].meta.worker).toBe('local#2');
    await ex.close();
  });

  it('stops at once when aborted, reporting nothing of the trials in flight', async () => {
    const ex = pool(2);
    const r = recorder();
    const ac = new AbortController();
    const run = ex.run([spec(1, 'ok', 5000), spec(2, 'ok', 5000), spec(3, 'ok')], r.events, ac.signal);
    setTimeout(() => ac.abort(new Error('interrupted')), 100);
    const t0 = Date.now();
    await expect(run).rejects.toThrow('interrupted');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.finished).toEqual([]);
    await ex.close();
  });
});

describe('local executor with the real trial worker', () => {
  it('trains the same record with 2 threads per worker as with 1 (threads change the speed only)', async () => {
    const { syntheticPrepared } = await import('../packages/pipeline/dist/data/synthetic.js');
    const { trialSpec } = await import('../packages/pipeline/dist/trials/identity.js');
    const { defaultKernelId, engineIdentity, kernelCanThread } = await import('@bnlab/engine');
    const kernelId = defaultKernelId();
    expect(kernelCanThread(kernelId), `${kernelId} can share its products`).toBe(true);
    // 300 × 3072 inputs, batch 100, [50]: the first layer's 100·50·3072 products are split
    const data = syntheticPrepared(300, 100);
    const config = {
      hidden: [50], batchNorm: true, init: { kind: 'he' as const }, lambda: 0.005, etaMin: 1e-5, etaMax: 0.1,
      batch: 100, ns: 6, cycles: 1, seed: 3,
    };
    const trial = trialSpec({ config, preparation: 'main', dataFingerprint: data.fingerprint, engine: engineIdentity(kernelId) }, 'threads');
    const results: string[] = [];
    for (const threadsPerWorker of [1, 2]) {
      const ex = localExecutor({ workers: 1, threadsPerWorker, kernelId, datasets: { main: data } });
      const r = recorder();
      try {
        await ex.run([trial], r.events, new AbortController().signal);
      } finally {
        await ex.close();
      }
      expect(r.finished).toHaveLength(1);
      results.push(JSON.stringify(r.finished[0].result));
    }
    expect(results[0]).toContain('"diverged":false');
    expect(results[1], '2 threads per worker changed the result').toBe(results[0]);
  });
});
