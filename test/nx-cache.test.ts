// The study under Nx for real: `nx run pipeline:all -c smoke` in a copy of the workspace, on real
// CIFAR-10 (the subset when linked, else the committed fixture). A second run is all cache hits; editing the coarse stage re-runs coarse and what
// depends on it while data, gradcheck, curves and sigma stay cached (their result.json untouched);
// a gradient-check threshold nobody can meet fails the gradcheck target; a corrupt trial record is
// repaired, not served around from the cache.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cifar10Dir as dataDir } from './helpers/cifar10.js';
import { copyWorkspace, nx, removeWorkspace, tasks } from './helpers/nx-workspace.js';
import { downstream, SMOKE_STAGES as STAGES } from './helpers/study.js';

const ids = (stages: string[]) => stages.map((s) => `pipeline:${s}:smoke`).sort();
/** Stage tasks only (not `pipeline:compile`, the build they depend on, nor the `all` no-op). */
const stageTasks = (list: string[]) => list.filter((t) => t !== 'pipeline:compile' && t !== 'pipeline:all:smoke').sort();

let ws: string;
const env = () => ({ BNLAB_CIFAR10_DIR: dataDir, CI: 'true' });
const resultText = (stage: string) => readFileSync(path.join(ws, 'results/smoke', stage, 'result.json'), 'utf8');
const edit = (from: string, to: string) => {
  const file = path.join(ws, 'experiments.yaml');
  const text = readFileSync(file, 'utf8');
  expect(text, `experiments.yaml holds '${from}'`).toContain(from);
  writeFileSync(file, text.replace(from, to));
};

describe('nx run pipeline:all -c smoke', () => {
  beforeAll(() => {
    ws = copyWorkspace('bnlab-nx-cache-');
  });
  afterAll(() => removeWorkspace(ws));

  it('runs every stage and writes its result', async () => {
    const r = await nx(ws, ['run', 'pipeline:all', '-c', 'smoke'], env());
    expect(r.exitCode, r.all).toBe(0);
    expect(stageTasks(tasks(r.all).ran)).toEqual([...ids(STAGES)].sort());
    for (const s of STAGES) expect(JSON.parse(resultText(s)).stage).toBe(s);
    expect(existsSync(path.join(ws, 'report/smoke/README.md'))).toBe(true);
  });

  // The report once re-ran here: it hashed the trial records as workspace files, which Nx lists once
  // per run, so the records the first run added reached its hash only in the second.
  it('a second run is all cache hits', async () => {
    const r = await nx(ws, ['run', 'pipeline:all', '-c', 'smoke'], env());
    expect(r.exitCode, r.all).toBe(0);
    expect(tasks(r.all).cached.sort()).toEqual([...ids(STAGES)].sort());
  });

  // Issue 17, item 6: Nx used to serve every stage from its cache and leave the truncated record.
  it('a corrupt trial record is repaired under Nx: the stage that needs it runs and retrains it', async () => {
    const before = Object.fromEntries(STAGES.map((s) => [s, resultText(s)]));
    const victim = JSON.parse(resultText('coarse')).trials[0].hash as string;
    const file = path.join(ws, 'results/trials', victim.slice(0, 2), `${victim}.json`);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, text.length / 2));
    const r = await nx(ws, ['run', 'pipeline:all', '-c', 'smoke'], env());
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toContain(`${victim}.json is corrupt`);
    // Stages hashed while the record was corrupt run (coarse retrains it); those Nx hashes after it was
    // repaired (downstream of coarse) have their old hash again and are cache hits.
    const { ran, cached } = tasks(r.all);
    expect(stageTasks(ran)).toContain('pipeline:coarse:smoke');
    expect(stageTasks([...ran, ...cached])).toEqual([...ids(STAGES)].sort());
    expect(JSON.parse(readFileSync(file, 'utf8')).result).toEqual(JSON.parse(text).result);
    for (const s of STAGES.filter((x) => x !== 'report')) expect(resultText(s), s).toBe(before[s]);
    // The store is sound again: the stages' hashes are the old ones.
    const again = await nx(ws, ['run', 'pipeline:all', '-c', 'smoke'], env());
    expect(tasks(again.all).cached.sort()).toEqual([...ids(STAGES)].sort());
  });

  it('editing the coarse stage re-runs coarse and what depends on it, nothing else', async () => {
    const before = Object.fromEntries(STAGES.map((s) => [s, resultText(s)]));
    edit('      coarse:\n        samples: 4\n', '      coarse:\n        samples: 5\n');
    const r = await nx(ws, ['run', 'pipeline:all', '-c', 'smoke'], env());
    expect(r.exitCode, r.all).toBe(0);
    const { cached, ran } = tasks(r.all);
    const rerun = downstream('coarse');
    expect(rerun).toEqual(['coarse', 'fine', 'final', 'report']);
    const kept = STAGES.filter((s) => !rerun.includes(s));
    expect(cached.sort()).toEqual(ids(kept));
    expect(stageTasks(ran)).toEqual(ids(rerun));
    for (const s of kept) expect(resultText(s), s).toBe(before[s]);
    expect(JSON.parse(resultText('coarse')).trials).toHaveLength(5);
  });

  it('a gradient-check threshold nobody can meet fails the gradcheck target', async () => {
    edit('    stages:\n      curves:\n        seeds: 2\n', '    stages:\n      gradcheck:\n        threshold: 1.0e-30\n      curves:\n        seeds: 2\n');
    const r = await nx(ws, ['run', 'pipeline:gradcheck', '-c', 'smoke'], env());
    expect(r.exitCode, r.all).toBe(1);
    expect(r.all).toMatch(/bnlab: .*1e-30/);
  });
});
