// Issue 17, item 3: two `nx run pipeline:all` at once in one workspace, of the same profile and of
// different profiles, both succeed (a cached `compile` used to restore packages/*/dist under the other
// run's running stages: "Cannot find module …/dist/cli/main.js"), and a trial both runs need is
// trained once (the trial locks).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkspace, nx, removeWorkspace, repo } from './helpers/nx-workspace.js';
import { cifar10Dir as dataDir } from './helpers/cifar10.js';

// Real images always: the checkout's CIFAR-10, else the committed fixture (test/helpers/cifar10.ts).
const run = describe;

let ws: string;
const env = () => ({ BNLAB_CIFAR10_DIR: dataDir, CI: 'true' });
/** Trials a run trained, from the progress lines ("coarse: [3/4] done coarse #2 … on local#1 …"). */
const trainedLabels = (out: string) => [...out.matchAll(/^(\w+): \[\d+\/\d+\] done (.+?) on /gm)].map((m) => `${m[1]} ${m[2]}`);

run('two nx runs at once', () => {
  beforeAll(() => {
    ws = copyWorkspace('bnlab-nx-concurrent-');
    // A second small profile: the smoke study with other seeds (its own trial store and outputs).
    const file = path.join(ws, 'experiments.yaml');
    const text = readFileSync(file, 'utf8');
    const smoke = /\n  smoke:\n[\s\S]*?\n\n/.exec(text)![0];
    writeFileSync(file, text.replace(smoke, `${smoke}${smoke.replace('\n  smoke:\n', '\n  smoke2:\n').replace('        seeds: 2\n', '        seeds: 3\n')}`));
  });
  afterAll(() => removeWorkspace(ws));

  it('of the same profile: both succeed and every trial is trained once', async () => {
    const [a, b] = await Promise.all([
      nx(ws, ['run', 'pipeline:all', '-c', 'smoke'], env()),
      nx(ws, ['run', 'pipeline:all', '-c', 'smoke'], env()),
    ]);
    expect(a.exitCode, a.all).toBe(0);
    expect(b.exitCode, b.all).toBe(0);
    const trained = [...trainedLabels(a.all), ...trainedLabels(b.all)];
    expect(trained.length).toBeGreaterThan(0);
    expect(new Set(trained).size, 'a trial trained by both runs').toBe(trained.length);
  });

  it('of different profiles: both succeed', async () => {
    const [a, b] = await Promise.all([
      nx(ws, ['run', 'pipeline:all', '-c', 'smoke2'], env()),
      nx(ws, ['run', 'pipeline:all', '-c', 'smoke'], env()),
    ]);
    expect(a.exitCode, a.all).toBe(0);
    expect(b.exitCode, b.all).toBe(0);
    expect(existsSync(path.join(ws, 'report/smoke2/README.md'))).toBe(true);
  });
});
