// Other data never overwrites a profile's results silently: `bnlab run data` (and `run all`) on data
// whose fingerprints differ from results/<profile>/data/result.json under the same configuration
// stops before any work, saying so, unless --force (or BNLAB_FORCE=1); no result yet, a deleted one
// or a changed data configuration is not a conflict. On the committed fixture and a copy of it with
// one label changed (other data, same layout).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_FIXTURE } from './helpers/cifar10.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
let ws: string;
let other: string;
const result = () => path.join(ws, 'results/smoke/data/result.json');
const bnlab = (args: string[], dir: string, env: Record<string, string> = {}) =>
  execa(process.execPath, [bin, ...args], {
    cwd: ws, reject: false,
    env: { BNLAB_WORKSPACE: ws, BNLAB_CIFAR10_DIR: dir, NX_TASK_TARGET_CONFIGURATION: '', CI: 'true', BNLAB_FORCE: '', ...env },
  });

describe('bnlab run data on other data', () => {
  beforeAll(async () => {
    ws = mkdtempSync(path.join(tmpdir(), 'bnlab-guard-'));
    cpSync(path.join(repo, 'experiments.yaml'), path.join(ws, 'experiments.yaml'));
    other = path.join(ws, 'other-cifar');
    cpSync(CIFAR10_FIXTURE, other, { recursive: true });
    const batch = path.join(other, 'data_batch_1.bin');
    const bytes = readFileSync(batch);
    bytes[0] = (bytes[0] + 1) % 10; // the first image's label
    writeFileSync(batch, bytes);
    const first = await bnlab(['run', 'data', '-c', 'smoke'], CIFAR10_FIXTURE);
    expect(first.exitCode, first.stderr).toBe(0);
  });
  afterAll(() => rmSync(ws, { recursive: true, force: true }));

  it('the same data again is no conflict', async () => {
    const r = await bnlab(['run', 'data', '-c', 'smoke'], CIFAR10_FIXTURE);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('other data: one line before any work, exit 1, the result untouched', async () => {
    const before = readFileSync(result(), 'utf8');
    for (const target of ['data', 'all']) {
      const r = await bnlab(['run', target, '-c', 'smoke'], other);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toBe(''); // not even "data: started"
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        // paths inside the workspace are shown relative to it
        /^bnlab: the data in other-cifar is not the data of results\/smoke\/data\/result\.json \('main' fingerprint [0-9a-f]{12}…, not [0-9a-f]{12}…\): running would replace profile 'smoke''s results\. .*--force/,
      );
    }
    expect(readFileSync(result(), 'utf8')).toBe(before);
  });

  it('--force (or BNLAB_FORCE=1) replaces the result; a deleted result is no conflict', async () => {
    const before = JSON.parse(readFileSync(result(), 'utf8'));
    const forced = await bnlab(['run', 'data', '-c', 'smoke', '--force'], other);
    expect(forced.exitCode, forced.stderr).toBe(0);
    const after = JSON.parse(readFileSync(result(), 'utf8'));
    expect(after.preparations[0].fingerprint).not.toBe(before.preparations[0].fingerprint);

    const back = await bnlab(['run', 'data', '-c', 'smoke'], CIFAR10_FIXTURE, { BNLAB_FORCE: '1' });
    expect(back.exitCode, back.stderr).toBe(0);
    expect(JSON.parse(readFileSync(result(), 'utf8'))).toEqual(before);

    rmSync(result());
    const fresh = await bnlab(['run', 'data', '-c', 'smoke'], other);
    expect(fresh.exitCode, fresh.stderr).toBe(0);
    expect(JSON.parse(readFileSync(result(), 'utf8'))).toEqual(after);
  });

  it('a changed data configuration is the study changing, not other data', async () => {
    const yaml = path.join(ws, 'experiments.yaml');
    const text = readFileSync(yaml, 'utf8');
    expect(text).toMatch(/(smoke:\n\s+data:\n\s+validation: )100/);
    writeFileSync(yaml, text.replace(/(smoke:\n\s+data:\n\s+validation: )100/, '$150'));
    const r = await bnlab(['run', 'data', '-c', 'smoke'], CIFAR10_FIXTURE);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(result(), 'utf8')).preparations[0].validation).toBe(50);
  });
});
