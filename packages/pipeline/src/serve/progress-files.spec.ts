import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StageView } from '../stages/progress.js';
import type { TrialRecord, TrialSpec } from '../trials/executor.js';
import { FAILED_SHOWN_MS, progressDir, publishingView, readProgress, STALE_MS, type ProgressFile } from './progress-files.js';

const quiet: StageView = {
  stage: (_name, work) => work(),
  info: () => {},
  summary: () => {},
  planned: () => {},
  started: () => {},
  progress: () => {},
  finished: () => {},
  waiting: () => {},
};
const spec = { hash: 'a'.repeat(64), label: 'curves 3-layer, BN seed 1', config: { hidden: [50, 50], lambda: 0.005, seed: 1 } } as unknown as TrialSpec;
const point = (update: number) => ({ update, epoch: update / 10, eta: 0.01, cost: { train: 2, validation: 2 }, loss: { train: 2, validation: 2 }, accuracy: { train: 0.3, validation: 0.25 } });

let ws: string;
beforeEach(() => {
  ws = mkdtempSync(path.join(tmpdir(), 'bnlab-progress-'));
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(ws, { recursive: true, force: true });
});

const file = () => path.join(progressDir(ws), '42-curves.json');
const read = () => JSON.parse(readFileSync(file(), 'utf8')) as ProgressFile;

describe('publishingView', () => {
  it('publishes the running trials at most every 500 ms, the last state included, and removes the file when the stage ends', async () => {
    const view = publishingView(quiet, { workspace: ws, profile: 'smoke', pid: 42 });
    await view.stage('curves', async () => {
      view.planned(4, 1, 3);
      expect(read()).toMatchObject({ pid: 42, profile: 'smoke', stage: 'curves', state: 'running', total: 4, stored: 1, running: [] });
      view.started(spec, 'local#1');
      for (let u = 1; u <= 10; u++) {
        view.progress(spec, { update: u * 10, updates: 100, epoch: u, validationAccuracy: u === 5 ? 0.25 : undefined, point: u === 5 ? point(50) : undefined });
        vi.advanceTimersByTime(20); // ten events in 200 ms
      }
      // Written once at planned (t=0), so nothing newer yet: the next write is due at t=500.
      expect(read().running).toEqual([]);
      vi.advanceTimersByTime(300);
      const t = read().running[0];
      expect(t).toMatchObject({ hash: spec.hash, label: spec.label, where: 'local#1', update: 100, updates: 100, epoch: 10, validationAccuracy: 0.25, config: spec.config });
      expect(t.history).toEqual([point(50)]);
      view.finished({ meta: { computeSeconds: 2.5 } } as TrialRecord, spec);
      vi.advanceTimersByTime(500);
      expect(read()).toMatchObject({ trained: 1, computeSeconds: 2.5, running: [] });
    });
    expect(readdirSync(progressDir(ws))).toEqual([]);
  });

  it('leaves a failed stage saying why, and the next run of that stage clears it', async () => {
    const view = publishingView(quiet, { workspace: ws, profile: 'smoke', pid: 42 });
    await expect(view.stage('curves', async () => { throw new Error('trial crashed'); })).rejects.toThrow('trial crashed');
    expect(read()).toMatchObject({ state: 'failed', error: 'trial crashed' });
    const again = publishingView(quiet, { workspace: ws, profile: 'smoke', pid: 43 });
    await again.stage('curves', async () => {
      expect(readdirSync(progressDir(ws))).toEqual(['43-curves.json']);
    });
  });
});

describe('readProgress', () => {
  const now = 10_000_000;
  const put = (name: string, p: Partial<ProgressFile>) => {
    mkdirSync(progressDir(ws), { recursive: true });
    const value: ProgressFile = {
      version: 1, pid: 1, host: 'here', profile: 'smoke', stage: 'curves', state: 'running', startedAt: now - 5000, updatedAt: now - 1000,
      total: 2, stored: 0, trained: 0, computeSeconds: 0, waitingFor: 0, running: [], ...p,
    };
    writeFileSync(path.join(progressDir(ws), name), typeof p === 'string' ? p : JSON.stringify(value));
  };

  it('tells running, failed (said so, or its process is gone) and stale files apart, and drops old and broken ones', () => {
    put('1-curves.json', { pid: 1 });
    put('2-coarse.json', { pid: 2, stage: 'coarse' }); // process gone
    put('3-sigma.json', { pid: 3, stage: 'sigma', host: 'elsewhere', updatedAt: now - STALE_MS - 1 });
    put('4-final.json', { pid: 4, stage: 'final', host: 'elsewhere', updatedAt: now - 1000 });
    put('5-fine.json', { pid: 5, stage: 'fine', state: 'failed', error: 'boom' });
    put('6-data.json', { pid: 6, stage: 'data', state: 'failed', updatedAt: now - FAILED_SHOWN_MS - 1 });
    writeFileSync(path.join(progressDir(ws), '7-gradcheck.json'), '{"version":1,"pid":7,'); // half a file: not ours to show
    writeFileSync(path.join(progressDir(ws), '8-curves.json.tmp-8-x'), '{}');
    const got = readProgress(progressDir(ws), now, 'here', (pid) => pid === 1);
    expect(got.map((r) => [r.stage, r.status])).toEqual([
      ['curves', 'running'],
      ['coarse', 'failed'],
      ['sigma', 'stale'],
      ['final', 'running'],
      ['fine', 'failed'],
    ]);
    expect(got[1].error).toBe('the run (pid 2) ended without finishing the stage');
    expect(got[4].error).toBe('boom');
  });

  it('is empty without a progress directory', () => {
    expect(readProgress(path.join(ws, 'none'))).toEqual([]);
  });
});
