// The Nx plugin under real `nx` commands (Nx 23.3.1), in a copy of the workspace whose `bnlab run`
// is replaced by a recording command: this checks what the plugin tells Nx (graph, configurations,
// cache inputs and outputs), independently of training. Its result.json is "<stage> <SALT>", so a
// test decides whether a stage's result changes. test/nx-cache.test.ts does the same with real runs.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkspace, nx, removeWorkspace, tasks } from './helpers/nx-workspace.js';
import { downstream, SMOKE_STAGES as STAGES } from './helpers/study.js';

const RECORDER = `#!/usr/bin/env node
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
const [, stage, ...rest] = process.argv.slice(2);
const profile = (rest.find((a) => a.startsWith('--profile=')) ?? '--profile=?').slice(10);
// Two stages at once would find another's marker (pipeline targets run one at a time).
if (existsSync('running')) appendFileSync('calls.log', 'OVERLAP\\n');
writeFileSync('running', stage);
await new Promise((r) => setTimeout(r, 300));
rmSync('running', { force: true });
appendFileSync('calls.log', \`\${stage} \${profile} \${process.env.NX_TASK_TARGET_CONFIGURATION}\\n\`);
if (process.env.FAIL === stage) { console.error('bnlab: ' + stage + ' failed'); process.exit(1); }
mkdirSync(\`results/\${profile}/\${stage}\`, { recursive: true });
writeFileSync(\`results/\${profile}/\${stage}/result.json\`, JSON.stringify({ stage, salt: process.env.SALT ?? '' }));
`;

let ws: string;
const calls = () => (existsSync(path.join(ws, 'calls.log')) ? readFileSync(path.join(ws, 'calls.log'), 'utf8').trim().split('\n') : []);
const clearCalls = () => rmSync(path.join(ws, 'calls.log'), { force: true });
const study = () => path.join(ws, 'experiments.yaml');
const edit = (from: string, to: string) => {
  const text = readFileSync(study(), 'utf8');
  expect(text, `experiments.yaml holds '${from}'`).toContain(from);
  writeFileSync(study(), text.replace(from, to));
};

describe('the pipeline project under nx', () => {
  beforeAll(() => {
    ws = copyWorkspace();
    writeFileSync(path.join(ws, 'packages/pipeline/bin/bnlab.js'), RECORDER);
  });
  afterAll(() => removeWorkspace(ws));

  it('shows the study as targets with the profiles as configurations', async () => {
    const r = await nx(ws, ['show', 'project', 'pipeline', '--json']);
    expect(r.exitCode, r.all).toBe(0);
    const project = JSON.parse(r.stdout);
    expect(project.root).toBe('.');
    expect(Object.keys(project.targets)).toEqual(expect.arrayContaining(['data', 'gradcheck', 'curves', 'coarse', 'fine', 'final', 'sigma', 'learning-rate', 'report', 'all']));
    expect(Object.keys(project.targets.fine.configurations)).toEqual(['default', 'smoke', 'fashion-mnist']);
  });

  it('runs a stage after its upstream stages, passing the profile both ways', async () => {
    const r = await nx(ws, ['run', 'pipeline:fine', '-c', 'smoke']);
    expect(r.exitCode, r.all).toBe(0);
    expect(calls()).toEqual(['data smoke smoke', 'coarse smoke smoke', 'fine smoke smoke']);
  });

  it('serves a second run from the cache, restoring deleted outputs', async () => {
    clearCalls();
    rmSync(path.join(ws, 'results/smoke'), { recursive: true });
    const r = await nx(ws, ['run', 'pipeline:fine', '-c', 'smoke']);
    expect(r.exitCode, r.all).toBe(0);
    expect(calls()).toEqual([]);
    expect(tasks(r.all).cached).toEqual(['pipeline:data:smoke', 'pipeline:coarse:smoke', 'pipeline:fine:smoke']);
    expect(JSON.parse(readFileSync(path.join(ws, 'results/smoke/fine/result.json'), 'utf8'))).toEqual({ stage: 'fine', salt: '' });
  });

  it('runs the stages of all one at a time', async () => {
    clearCalls();
    const r = await nx(ws, ['run', 'pipeline:all', '-c', 'smoke']);
    expect(r.exitCode, r.all).toBe(0);
    // data, coarse and fine are cached; the others (gradcheck, curves, sigma, … could run in parallel) ran
    expect(calls().sort()).toEqual(STAGES.filter((x) => !['data', 'coarse', 'fine'].includes(x)).map((x) => `${x} smoke smoke`).sort());
  });

  it('editing one stage re-runs that stage only while its result stays the same', async () => {
    clearCalls();
    edit('    threshold: 1.0e-6\n', '    threshold: 2.0e-6\n');
    const r = await nx(ws, ['run', 'pipeline:all', '-c', 'smoke']);
    expect(r.exitCode, r.all).toBe(0);
    expect(calls()).toEqual(['gradcheck smoke smoke']);
  });

  it('a changed upstream result re-runs everything downstream of it, and nothing else', async () => {
    clearCalls();
    edit('      coarse:\n        samples: 4\n', '      coarse:\n        samples: 5\n');
    const r = await nx(ws, ['run', 'pipeline:all', '-c', 'smoke'], { SALT: 'new coarse result' });
    expect(r.exitCode, r.all).toBe(0);
    expect(downstream('coarse')).toEqual(['coarse', 'fine', 'final', 'report']);
    expect(calls().map((c) => c.split(' ')[0])).toEqual(downstream('coarse'));
    expect(tasks(r.all).cached.sort()).toEqual(STAGES.filter((x) => !downstream('coarse').includes(x)).map((x) => `pipeline:${x}:smoke`).sort());
  });

  it('keeps profiles apart: the default profile has its own outputs and cache entries', async () => {
    clearCalls();
    const r = await nx(ws, ['run', 'pipeline:coarse']);
    expect(r.exitCode, r.all).toBe(0);
    expect(calls()).toEqual(['data default default', 'coarse default default']);
    expect(existsSync(path.join(ws, 'results/default/coarse/result.json'))).toBe(true);
  });

  it('does not cache a failed stage', async () => {
    edit('      final:\n        seeds: 2\n', '      final:\n        seeds: 3\n');
    clearCalls();
    const failed = await nx(ws, ['run', 'pipeline:final', '-c', 'smoke'], { FAIL: 'final' });
    expect(failed.exitCode).toBe(1);
    expect(failed.all).toContain('bnlab: final failed');
    clearCalls();
    const again = await nx(ws, ['run', 'pipeline:final', '-c', 'smoke']);
    expect(again.exitCode, again.all).toBe(0);
    expect(calls()).toEqual(['final smoke smoke']);
  });

  it('rejects an unknown profile instead of running the default one', async () => {
    clearCalls();
    for (const args of [['run', 'pipeline:coarse', '-c', 'nope'], ['run', 'pipeline:all:smok']]) {
      const r = await nx(ws, args);
      expect(r.exitCode).toBe(1);
      expect(r.all).toMatch(/bnlab: unknown profile '(nope|smok)' \(nx -c\); experiments\.yaml defines default, smoke, fashion-mnist/);
    }
    expect(calls()).toEqual([]);
  });

  it('shows the located errors of a broken experiments.yaml', async () => {
    const good = readFileSync(study(), 'utf8');
    try {
      edit('    keep: 3\n', '    kep: 3\n');
      const line = readFileSync(study(), 'utf8').split('\n').indexOf('    kep: 3') + 1;
      const r = await nx(ws, ['run', 'pipeline:all', '-c', 'smoke']);
      expect(r.exitCode).toBe(1);
      expect(r.all).toContain(`experiments.yaml:${line}:5 stages.coarse.kep: unknown key (did you mean 'keep'?)`);
      writeFileSync(study(), 'version: 1\nstages:\n  coarse: [1, 2\n');
      const syntax = await nx(ws, ['run', 'pipeline:coarse']);
      expect(syntax.exitCode).toBe(1);
      expect(syntax.all).toContain('experiments.yaml:4:1 YAML: Flow sequence in block collection must be sufficiently indented and end with a ]');
    } finally {
      writeFileSync(study(), good);
    }
  });
});
