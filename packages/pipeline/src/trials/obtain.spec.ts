import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrainResult } from '@bnlab/report';
import type { TrialExecutor, TrialRecord, TrialSpec } from './executor.js';
import { trialSpec } from './identity.js';
import { lockPath } from './lock.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { obtainTrials, type ObtainView } from './obtain.js';
import { readRecord, recordPath, writeRecord } from './store.js';

// A fake executor: "trains" a trial by deriving its figures from λ, so each record is checkable.
function fakeResult(lambda: number): TrainResult {
  return {
    accuracy: { train: 0.5, validation: lambda, test: 0.25 },
    cost: { train: 1, validation: 1, test: 1 },
    loss: { train: 1, validation: 1, test: 1 },
    history: [],
    diverged: false,
  };
}
function fakeExecutor(trained: string[], failOn?: string): TrialExecutor {
  return {
    name: 'fake',
    async run(trials, events, signal) {
      for (const t of trials) {
        signal.throwIfAborted();
        events.started(t.hash, 'fake#1');
        if (t.hash === failOn) throw new Error(`trial ${t.label} crashed`);
        trained.push(t.hash);
        const record: TrialRecord = {
          hash: t.hash,
          identity: { config: t.config, preparation: t.preparation, dataFingerprint: t.dataFingerprint, engine: t.engine },
          result: fakeResult(t.config.lambda as number),
          meta: { computeSeconds: 0, host: 'h', finishedAt: '2026-01-01T00:00:00.000Z', worker: 'fake#1' },
        };
        events.finished(record);
      }
    },
    async close() {},
  };
}
const quietView: ObtainView = { planned() {}, started() {}, progress() {}, finished() {}, waiting() {} };
const spec = (lambda: number): TrialSpec =>
  trialSpec({ config: { lambda }, preparation: 'main', dataFingerprint: 'f'.repeat(64), engine: 'test-engine' }, `λ=${lambda}`);

let dir: string;
let warnings: string[];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bnlab-obtain-'));
  warnings = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const opts = (executor: TrialExecutor, extra: Partial<Parameters<typeof obtainTrials>[1]> = {}) => ({
  dir,
  executor,
  signal: new AbortController().signal,
  view: quietView,
  warn: (m: string) => warnings.push(m),
  pollMs: 20,
  ...extra,
});

describe('obtainTrials', () => {
  const specs = [0.1, 0.2, 0.3, 0.4].map(spec);

  it('trains only what the store lacks and reuses the rest', async () => {
    const first: string[] = [];
    const a = await obtainTrials(specs.slice(0, 2), opts(fakeExecutor(first)));
    expect(a).toMatchObject({ reused: 0, trained: 2, complete: true });
    const second: string[] = [];
    const b = await obtainTrials(specs, opts(fakeExecutor(second)));
    expect(b).toMatchObject({ reused: 2, trained: 2, complete: true });
    expect(second).toEqual([specs[2].hash, specs[3].hash]);
    expect(b.records.get(specs[3].hash)?.result.accuracy.validation).toBe(0.4);
  });

  it('computes a trial requested twice once', async () => {
    const trained: string[] = [];
    const r = await obtainTrials([specs[0], specs[1], specs[0]], opts(fakeExecutor(trained)));
    expect(trained).toEqual([specs[0].hash, specs[1].hash]);
    expect(r.records.size).toBe(2);
  });

  it('stops after maxNew new trials, keeping them, and resumes with the rest', async () => {
    const first: string[] = [];
    const a = await obtainTrials(specs, opts(fakeExecutor(first), { maxNew: 3 }));
    expect(a).toMatchObject({ trained: 3, complete: false });
    const second: string[] = [];
    const b = await obtainTrials(specs, opts(fakeExecutor(second), { maxNew: 3 }));
    expect(b).toMatchObject({ reused: 3, trained: 1, complete: true });
    expect(second).toEqual([specs[3].hash]);
  });

  it('recomputes a corrupt record after reporting it', async () => {
    await obtainTrials(specs.slice(0, 1), opts(fakeExecutor([])));
    writeFileSync(recordPath(dir, specs[0].hash), '{"hash": "trunc');
    const trained: string[] = [];
    const r = await obtainTrials(specs.slice(0, 1), opts(fakeExecutor(trained)));
    expect(trained).toEqual([specs[0].hash]);
    expect(r.reused).toBe(0);
    expect(warnings.join('\n')).toMatch(/is corrupt: not JSON.*recomputed/);
    expect(readRecord(dir, specs[0].hash, () => {})).toBeDefined();
  });

  it('stores what finished before a crash, not the crashed trial, and releases every lock', async () => {
    const trained: string[] = [];
    await expect(obtainTrials(specs, opts(fakeExecutor(trained, specs[2].hash)))).rejects.toThrow('trial λ=0.3 crashed');
    expect(trained).toEqual([specs[0].hash, specs[1].hash]);
    expect(existsSync(recordPath(dir, specs[1].hash))).toBe(true);
    expect(existsSync(recordPath(dir, specs[2].hash))).toBe(false);
    for (const s of specs) expect(existsSync(lockPath(dir, s.hash))).toBe(false);
  });

  it("waits for a trial another live process is training, then reads its record", async () => {
    const s = specs[0];
    const lock = lockPath(dir, s.hash);
    writeRecord(dir, { hash: s.hash, identity: { config: s.config, preparation: s.preparation, dataFingerprint: s.dataFingerprint, engine: s.engine }, result: fakeResult(0.1), meta: { computeSeconds: 0, host: 'other', finishedAt: '2026-01-01T00:00:00.000Z', worker: 'other' } });
    const text = readFileSync(recordPath(dir, s.hash));
    rmSync(recordPath(dir, s.hash));
    // The parent process (vitest) is alive: its lock is respected.
    writeFileSync(lock, `${process.ppid} ${hostname()}\n`);
    const waited: string[] = [];
    const view = { ...quietView, waiting: (w: TrialSpec[], holder: string) => waited.push(`${w.length} ${holder}`) };
    setTimeout(() => {
      writeFileSync(recordPath(dir, s.hash), text);
      rmSync(lock);
    }, 150);
    const trained: string[] = [];
    const r = await obtainTrials([s, specs[1]], opts(fakeExecutor(trained), { view }));
    expect(trained).toEqual([specs[1].hash]);
    expect(r.records.get(s.hash)?.meta.worker).toBe('other');
    expect(waited[0]).toBe(`1 pid ${process.ppid} on ${hostname()}`);
  });

  it('rejects at once when aborted while waiting', async () => {
    writeFileAtomic(lockPath(dir, specs[0].hash), `${process.ppid} ${hostname()}\n`);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('interrupted')), 50);
    await expect(obtainTrials([specs[0]], opts(fakeExecutor([]), { signal: ac.signal }))).rejects.toThrow('interrupted');
  });
});

describe('obtainTrials with a faulty executor', () => {
  it('fails instead of looping when the executor returns without finishing its trials', async () => {
    const lazy: TrialExecutor = { name: 'lazy', async run() {}, async close() {} };
    await expect(obtainTrials([spec(0.5)], opts(lazy))).rejects.toThrow('executor lazy finished without 1 of its trials (first: λ=0.5)');
  });
});
