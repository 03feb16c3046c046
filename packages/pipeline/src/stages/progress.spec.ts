import { describe, expect, it } from 'vitest';
import { formatSeconds, plainView } from './progress.js';

describe('formatSeconds', () => {
  it.each([
    [0, '0s'], [59.4, '59s'], [59.6, '1m00s'], [61, '1m01s'], [359.6, '6m00s'], [3599.6, '1h00m'],
    [3600 + 59 * 60 + 59, '1h59m'], [-1, '?'], [NaN, '?'],
  ])('%s s → %s (never 60 in a field)', (s, text) => {
    expect(formatSeconds(s)).toBe(text);
  });
});

describe('plainView: the stage ETA from its own trials, the study ETA with the rest estimated', () => {
  const spec = (i: number) => ({ hash: `${i}`.padStart(64, '0'), label: `t${i}`, config: {}, preparation: 'main', dataFingerprint: 'f', engine: 'e' });
  const record = (i: number, seconds: number) => ({
    hash: spec(i).hash, identity: { config: {}, preparation: 'main', dataFingerprint: 'f', engine: 'e' },
    result: { accuracy: { train: 0.5, validation: 0.4, test: 0.4 }, diverged: false } as never,
    meta: { computeSeconds: seconds, host: 'h', finishedAt: '2026-01-01T00:00:00.000Z', worker: 'local#1' },
  });

  it('4 trials of 10 s, 2 running at a time: after the first, 3 left → 15 s; the other stages add theirs', async () => {
    const lines: string[] = [];
    const view = plainView((l) => lines.push(l));
    view.otherWork(100);
    await view.stage('coarse', async () => {
      view.planned(4, 0, 4);
      view.started(spec(1), 'local#1');
      view.started(spec(2), 'local#2');
      view.finished(record(1, 10), spec(1));
    });
    // 3 left × 10 s / 1 still running = 30 s (the divisor is the trials running when it finished)
    expect(lines.at(-1)).toBe('coarse: [1/4] done t1 on local#1: val 40.0% in 10s · ETA 30s, study ETA 2m10s');
  });

  it('without an estimate of the rest, only the stage ETA; the last trial has none', async () => {
    const lines: string[] = [];
    const view = plainView((l) => lines.push(l));
    view.otherWork(null);
    await view.stage('sigma', async () => {
      view.planned(2, 0, 2);
      view.started(spec(1), 'local#1');
      view.finished(record(1, 4), spec(1));
      view.started(spec(2), 'local#1');
      view.finished(record(2, 4), spec(2));
    });
    expect(lines.filter((l) => l.includes(' done '))).toEqual([
      'sigma: [1/2] done t1 on local#1: val 40.0% in 4s · ETA 4s',
      'sigma: [2/2] done t2 on local#1: val 40.0% in 4s',
    ]);
  });
});
