// Studies as data: a study nobody wrote TypeScript for — new stage names, every kind, the user's own
// nets — declared in a temporary workspace's experiments.yaml and run end to end with `bnlab run all`
// on the real CIFAR-10 data (data.dir, so a committed fixture can stand in later). Every stage writes
// its result (matching its kind's schema) and its section of the one report, named after the stage and
// the user's nets, with distinct chart files.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { cifar10Dir as dataDir } from './helpers/cifar10.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
const schemas = path.join(repo, 'packages/pipeline/schemas');
// Real images always: the checkout's CIFAR-10, else the committed fixture (test/helpers/cifar10.ts).
const run = describe;

// The minimal form, then every other form: uniform and choice draws, an absolute width, a
// list of seeds, a stage's own training block, an evaluate on the 'final' preparation and one given outright.
const STUDY = (dir: string) => `version: 1
data: {dataset: cifar10, dir: ${JSON.stringify(dir)}, validation: 100, finalValidation: 100}
defaults:
  kernel: auto
  nets: {narrow: [20, 20], broad: [40, 40]}
  training: {lambda: 0.005, etaMin: 1.0e-5, etaMax: 0.1, batch: 50, nsUpdates: 6, cycles: 1, pointsPerCycle: 2}
stages:
  checks:   {kind: gradcheck, nets: [narrow], batchNorm: [true]}
  widths:   {kind: grid, vary: {net: [narrow, broad], batchNorm: [false, true]}, seeds: 2}
  lr-hunt:  {kind: search, net: narrow, batchNorm: true, space: {lambda: {logUniform: [1.0e-4, 1.0e-1]}}, samples: 4, seed: 5, keep: 2}
  lr-polish: {kind: refine, from: lr-hunt, around: {lambda: {relative: 0.1}}, samples: 2, keep: 1}
  champion: {kind: evaluate, from: lr-polish, seeds: 2}
  rates:    {kind: grid, vary: {etaMax: [0.05, 0.2]}, net: broad, seeds: [3, 7], history: true, training: {cycles: 2}}
  mixed:    {kind: search, space: {etaMax: {uniform: [0.01, 0.2]}, net: {choice: [narrow, broad]}}, samples: 3, keep: 1}
  nudge:    {kind: refine, from: mixed, around: {etaMax: {absolute: 0.01}}, samples: 2}
  final-look: {kind: evaluate, from: nudge, preparation: final, seeds: [1, 2]}
  fixed:    {kind: evaluate, nets: [broad], batchNorm: [true], seeds: 1, training: {lambda: 0.01}}
  gains:    {kind: summary, compare: [widths, rates], best: champion, reference: {accuracy: 0.5, label: a figure of the user's}}
  summary:  {kind: report, title: Any title}
`;
const KINDS: Record<string, string> = {
  checks: 'gradcheck', widths: 'grid', 'lr-hunt': 'search', 'lr-polish': 'refine', champion: 'evaluate', rates: 'grid',
  mixed: 'search', nudge: 'refine', 'final-look': 'evaluate', fixed: 'evaluate', gains: 'summary', summary: 'report',
};

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

run('a study declared in YAML only, every kind, new stage names', () => {
  it('bnlab run all writes every stage result and one report with a section per stage', async () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'bnlab-studies-'));
    temps.push(ws);
    writeFileSync(path.join(ws, 'experiments.yaml'), STUDY(dataDir));
    writeFileSync(path.join(ws, 'nx.json'), '{}\n');
    const env = { BNLAB_WORKSPACE: ws, NX_TASK_TARGET_CONFIGURATION: '', CI: 'true' };
    const r = await execa(process.execPath, [bin, 'run', 'all', '--workers', '2'], { cwd: ws, env, reject: false });
    expect(r.exitCode, `${r.stderr}\n${r.stdout}`.slice(-3000)).toBe(0);

    const ajv = new Ajv({ allErrors: true, strict: true });
    for (const f of readdirSync(schemas).filter((f) => f.startsWith('result-'))) ajv.addSchema(JSON.parse(readFileSync(path.join(schemas, f), 'utf8')));
    const results: Record<string, any> = {};
    for (const [stage, kind] of Object.entries(KINDS)) {
      const value = JSON.parse(readFileSync(path.join(ws, 'results/default', stage, 'result.json'), 'utf8'));
      const validate = ajv.getSchema(`result-${kind}.schema.json`)!;
      expect(validate(value) ? [] : validate.errors, stage).toEqual([]);
      expect(value).toMatchObject({ stage, kind });
      results[stage] = value;
    }
    // The user's net names name the groups; the refine starts from the search's kept values.
    expect(results.widths.groups.map((g: any) => g.name)).toEqual(['narrow, no BN', 'narrow, BN', 'broad, no BN', 'broad, BN']);
    expect(results['lr-polish'].centres.map((c: any) => c.values)).toEqual(results['lr-hunt'].best.map((t: any) => t.values));
    expect(results.champion.values).toEqual(results['lr-polish'].best[0].values);
    expect(results.champion.groups.map((g: any) => g.runs.length)).toEqual([2]);
    expect(results.rates.groups[0].runs.map((x: any) => x.seed)).toEqual([3, 7]);
    expect(results.rates.groups[0].runs[0].result.history.length).toBeGreaterThan(0);
    expect(results['final-look'].preparation).toBe('final');
    for (const t of results.mixed.trials) expect(['narrow', 'broad']).toContain(t.values.net);
    expect(results.fixed.groups[0].name).toBe('broad, BN');
    // The summary: each grid's first group is its baseline; the evaluate's runs are the best's.
    expect(results.gains.comparisons.map((c: any) => [c.stage, c.baseline.name])).toEqual([['widths', 'narrow, no BN'], ['rates', 'η_max = 0.05']]);
    expect(results.gains.best.runs.map((r: any) => r.accuracy)).toEqual(results.champion.groups[0].runs.map((r: any) => r.accuracy));

    const readme = readFileSync(path.join(ws, 'report/default/README.md'), 'utf8');
    expect(readme.split('\n')[0]).toBe('# Any title: profile `default`');
    for (const stage of Object.keys(KINDS).filter((s) => s !== 'summary')) expect(readme).toMatch(new RegExp(`^## ${stage}: `, 'm'));
    for (const name of ['narrow', 'broad']) expect(readme).toMatch(new RegExp(`\\| ${name} \\|`));
    expect(readme).toMatch(/The best test accuracy reached: .*a figure of the user's: 50\.00 %/);
    expect(readFileSync(path.join(ws, 'report/default/widths.csv'), 'utf8')).toContain('\ndefault,cifar10,"narrow, no BN",narrow,false,');
    // Every chart the README links exists, once; the HTML report is rendered from the same blocks.
    const charts = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+\.svg)\)/g)].map((m) => m[1]);
    expect(new Set(charts).size).toBe(charts.length);
    for (const c of charts) expect(existsSync(path.join(ws, 'report/default', c)), c).toBe(true);
    const html = readFileSync(path.join(ws, 'report/default/report.html'), 'utf8');
    expect((html.match(/<figure /g) ?? []).length).toBe(charts.length);

    // Everything is cached now: the plan has no work left.
    const plan = await execa(process.execPath, [bin, 'plan', '--json'], { cwd: ws, env, reject: false });
    expect(plan.exitCode, plan.stderr).toBe(0);
    const p = JSON.parse(plan.stdout);
    expect(p.stages.map((s: any) => s.stage)).toEqual(['data', ...Object.keys(KINDS)]);
    expect(p.trialsLeft).toBe(0);
  }, 600_000);
});
