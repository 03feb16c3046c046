// bnlab show and bnlab compare on the committed results (read-only: nothing trained or written): every
// stage's state and conclusions, one stage's tables as aligned text, two profiles side by side, the
// --json forms, and one clear line for an unknown stage or a wrong number of profiles. The numbers
// shown are checked against ones computed here from results/<profile>/<stage>/result.json.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { shippedStudy } from './helpers/study.js';
import { stageNames } from '../packages/pipeline/src/config/stages.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
const bnlab = (args: string[]) => execa(process.execPath, [bin, ...args], { cwd: repo, reject: false, env: { BNLAB_WORKSPACE: repo } });
const result = (profile: string, stage: string) => JSON.parse(readFileSync(path.join(repo, 'results', profile, stage, 'result.json'), 'utf8'));
const published = ['default', 'fashion-mnist'].every((p) => existsSync(path.join(repo, 'results', p, 'final', 'result.json')));

interface Run { accuracy: { test: number } }
/** "44.12 ± 0.92": mean and sample standard deviation of the runs' test accuracy, in percent, computed here. */
function testMeanStd(runs: Run[]): string {
  const x = runs.map((r) => 100 * r.accuracy.test);
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1));
  return `${mean.toFixed(2)} ± ${std.toFixed(2)}`;
}

describe.skipIf(!published)('bnlab show and compare on the published results', () => {
  const final = result('default', 'final');
  const fashion = result('fashion-mnist', 'final');
  const first = final.groups[0];

  it('show: every stage, its kind and state, and the final stage\'s mean ± std of the test accuracy', async () => {
    const r = await bnlab(['show']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('profile default');
    for (const [stage, kind] of [['data', 'data'], ['gradcheck', 'gradcheck'], ['coarse', 'search'], ['fine', 'refine'], ['final', 'evaluate'], ['report', 'report']]) {
      expect(r.stdout).toMatch(new RegExp(`^${stage} \\(${kind}\\) +(current|unchecked)`, 'm'));
    }
    expect(r.stdout).toContain(`${first.name}: training`);
    expect(r.stdout).toContain(`test ${testMeanStd(first.runs)} % over ${first.runs.length} runs`);
    // the refine's best λ, as its result holds it (4 significant digits)
    expect(r.stdout).toMatch(new RegExp(`^fine \\(refine\\) +current: The best of \\d+ trials had λ = ${Number(result('default', 'fine').best[0].values.lambda.toPrecision(4))}`, 'm'));
  });

  it('show STAGE: the stage\'s table aligned as text, then its conclusions', async () => {
    const r = await bnlab(['show', 'final']);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('net '));
    expect(lines[header - 1]).toBe('final.csv:');
    expect(lines[header + 1]).toMatch(/^─+( +─+)+$/);
    // every row of the table, one a line, the test column right-aligned under its header
    for (const [i, g] of final.groups.entries()) {
      const row = lines[header + 2 + i];
      expect(row.startsWith(`${g.name} `)).toBe(true);
      expect(row).toContain(`${testMeanStd(g.runs)}`);
      expect(row.indexOf(testMeanStd(g.runs)) + testMeanStd(g.runs).length).toBe(lines[header].indexOf('test (%)') + 'test (%)'.length);
    }
    expect(r.stdout).toContain(`- ${first.name}: training`);
  });

  it('--json: the stages with their conclusions, and one stage\'s tables with the raw numbers', async () => {
    const all = JSON.parse((await bnlab(['show', '--json'])).stdout);
    expect(all.profile).toBe('default');
    expect(all.stages.map((s: any) => s.stage)).toEqual([
      'data', 'gradcheck', 'curves', 'coarse', 'fine', 'final', 'sigma', 'learning-rate',
      'width-depth', 'lambda', 'bn-placement', 'dropout', 'jitter', 'combine', 'best', 'improvements', 'report',
    ]);
    const one = JSON.parse((await bnlab(['show', 'final', '--json'])).stdout);
    const t = one.stages[0].tables[0];
    expect(t.file).toBe('final.csv');
    const col = t.csvHeader.indexOf('test_accuracy_mean');
    const x = first.runs.map((r: Run) => r.accuracy.test);
    expect(t.csvRows[0][col]).toBeCloseTo(x.reduce((a: number, b: number) => a + b, 0) / x.length, 12);
  });

  it('compare: each stage\'s conclusions under both profiles, and with a stage the rows that differ', async () => {
    const r = await bnlab(['compare', '-c', 'default', '-c', 'fashion-mnist']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`  default: ${first.name}: training`);
    expect(r.stdout).toContain(`  fashion-mnist: ${fashion.groups[0].name}: training`);
    expect(r.stdout).toContain(`test ${testMeanStd(fashion.groups[0].runs)} %`);
    const s = await bnlab(['compare', '-c', 'default', '-c', 'fashion-mnist', 'final']);
    expect(s.exitCode, s.stderr).toBe(0);
    expect(s.stdout).toContain('== final (evaluate) under default\n');
    expect(s.stdout).toContain('== final (evaluate) under fashion-mnist\n');
    expect(s.stdout).toContain(`${final.groups.length} rows differ:`);
    expect(s.stdout).toMatch(new RegExp(`^  final\\.csv ${first.name}: default: .*${testMeanStd(first.runs)}.*≠  fashion-mnist: .*${testMeanStd(fashion.groups[0].runs)}`, 'm'));
    const j = JSON.parse((await bnlab(['compare', '-c', 'default', '-c', 'fashion-mnist', 'final', '--json'])).stdout);
    expect(j.profiles).toEqual(['default', 'fashion-mnist']);
    expect(j.stages[0].differences.map((d: any) => d.key)).toEqual(final.groups.map((g: any) => g.name));
    // a profile against itself: nothing differs
    expect((await bnlab(['compare', '-c', 'default', '-c', 'default', 'final'])).stdout).toContain('no row differs');
  });

  it('a stage whose result is not current: one line with its state and what to run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bnlab-show-'));
    try {
      const config = path.join(dir, 'experiments.yaml');
      const text = readFileSync(path.join(repo, 'experiments.yaml'), 'utf8');
      expect(text).toMatch(/^    seeds: 20$/m);
      writeFileSync(config, text.replace(/^    seeds: 20$/m, '    seeds: 19'));
      const r = await bnlab(['show', '--config', config, 'final']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe("final: stale (the stage's configuration changed since it was written); run `bnlab run final -c default`");
      const all = await bnlab(['show', '--config', config]);
      expect(all.stdout).toMatch(/^final \(evaluate\) +stale \(the stage's configuration changed since it was written\); run `bnlab run final -c default`$/m);
      expect(all.stdout).toMatch(/^fine \(refine\) +current: /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('one line, exit 1, for an unknown stage or profile count', async () => {
    const STAGE_LIST = stageNames(shippedStudy('default')).join(', ');
    for (const [args, line] of [
      [['show', 'finl'], `bnlab: show: unknown stage 'finl' (did you mean 'fine'?) (stages: ${STAGE_LIST})`],
      [['compare', '-c', 'default', '-c', 'fashion-mnist', 'corse'], `bnlab: compare: unknown stage 'corse' (did you mean 'coarse'?) (stages: ${STAGE_LIST})`],
      [['compare', '-c', 'default'], 'bnlab: compare: expected two profiles (-c A -c B), got 1 (see bnlab compare --help)'],
    ] as const) {
      const r = await bnlab([...args]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toBe(line);
      expect(r.stdout).toBe('');
    }
  });
});
