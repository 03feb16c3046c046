import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DataStageResult } from '@bnlab/report';
import { studyFixture } from '../../../report/src/testing/fixture.js';
import { trialHash } from '../trials/identity.js';
import { writeRecord } from '../trials/store.js';
import { computeSeconds, dataNote, writeReportFiles } from './report.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'bnlab-report-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function data(dataset: string, train: number, validation: number, test: number): DataStageResult {
  return {
    ...studyFixture().data,
    dataset,
    preparations: [{ name: 'main', validation, splits: { train, validation, test }, fingerprint: 'f'.repeat(64) }],
  };
}

describe('dataNote', () => {
  it('says a subset is a subset, with its sizes and the full sizes', () => {
    expect(dataNote(data('cifar10', 4653, 517, 1017))).toBe('a subset of CIFAR-10: 5170 training + 1017 test images, not the full 50000 + 10000');
    expect(dataNote(data('fashion-mnist', 54000, 6000, 10000))).toBe('the full Fashion-MNIST (60000 training + 10000 test images)');
    expect(dataNote(data('other', 10, 2, 5))).toBe('other (12 training + 5 test images)');
  });
});

describe('computeSeconds', () => {
  const result = studyFixture().curves.groups[0].runs[0].result;
  const record = (n: number, seconds: number) => {
    const identity = { config: { n }, preparation: 'main', dataFingerprint: 'a'.repeat(64), engine: 'bnlab-engine/1+ts-f64' };
    const hash = trialHash(identity);
    return { hash, identity, result, meta: { computeSeconds: seconds, host: 'h', finishedAt: '2025-01-01T00:00:00Z', worker: 'local#1' } };
  };

  it('sums a stage’s trial records once each, and gives none when a record is missing', () => {
    const store = tmp();
    const [a, b, c] = [record(1, 1.5), record(2, 2.25), record(3, 4)];
    for (const r of [a, b, c]) writeRecord(store, r);
    const warnings: string[] = [];
    expect(computeSeconds(store, [a.hash, b.hash, a.hash], (l) => warnings.push(l), 'curves')).toBe(3.75);
    expect(computeSeconds(store, [c.hash, 'e'.repeat(64)], (l) => warnings.push(l), 'coarse')).toBeUndefined();
    expect(warnings).toEqual(["report: 1 of the coarse stage's trial records are not in the trial store: its compute time is left out"]);
  });
});

describe('writeReportFiles', () => {
  it('writes every file and removes report files an earlier render left, nothing else', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'curves-old.svg'), '<svg/>');
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    writeReportFiles(dir, { 'README.md': '# r\n', 'a.svg': '<svg/>\n' });
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('# r\n');
    expect(existsSync(path.join(dir, 'a.svg'))).toBe(true);
    expect(existsSync(path.join(dir, 'curves-old.svg'))).toBe(false);
    expect(existsSync(path.join(dir, 'notes.txt'))).toBe(true);
  });
});
