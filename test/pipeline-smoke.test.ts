// End to end: `bnlab run <stage> -c smoke` for every stage, in a temporary workspace (a copy of
// experiments.yaml, BNLAB_WORKSPACE pointing at it) on real CIFAR-10 (the subset when linked, else the
// committed fixture: test/helpers/cifar10.ts), through the built CLI. Checks every result.json against its schema, the --max-trials resume, a corrupt record being
// recomputed to the same bytes, the errors for a missing upstream stage and an unknown profile, and
// `bnlab plan --json` (against its schema) before and after.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Ajv } from 'ajv';
import { hashOf } from '../packages/pipeline/src/util/canonical-json.js';
import { SMOKE_STAGES } from './helpers/study.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cifar10Dir as dataDir, cifar10Records } from './helpers/cifar10.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
/** The improvement study's stages (issue 16): run here after the reference's. */
const IMPROVEMENTS = ['width-depth', 'lambda', 'bn-placement', 'dropout', 'jitter', 'combine', 'best', 'improvements'];
const schemas = path.join(repo, 'packages/pipeline/schemas');

let ws: string;
const ajv = new Ajv({ allErrors: true, strict: true });
for (const f of readdirSync(schemas).filter((f) => f.startsWith('result-') || f === 'plan.schema.json')) {
  ajv.addSchema(JSON.parse(readFileSync(path.join(schemas, f), 'utf8')));
}

function bnlab(args: string[]) {
  return execa(process.execPath, [bin, ...args], {
    cwd: ws,
    reject: false,
    // execa's kill() would follow a signal with SIGKILL after 5 s: a clean stop under load takes longer.
    forceKillAfterDelay: false,
    env: { BNLAB_WORKSPACE: ws, BNLAB_CIFAR10_DIR: dataDir, CI: 'true', NX_TASK_TARGET_CONFIGURATION: '' },
  });
}

const resultPath = (stage: string) => path.join(ws, 'results/smoke', stage, 'result.json');
const storeDir = () => path.join(ws, 'results/trials');
function records(): string[] {
  if (!existsSync(storeDir())) return [];
  return readdirSync(storeDir()).flatMap((d) => readdirSync(path.join(storeDir(), d)).filter((f) => f.endsWith('.json')).map((f) => path.join(d, f)));
}
function expectValid(schema: string, value: unknown) {
  const validate = ajv.getSchema(schema)!;
  const ok = validate(value);
  expect(ok ? [] : validate.errors).toEqual([]);
}
/** A result edited as if a stage had written it so: its checksum matches (else it is corrupt, not stale). */
function resealed(value: { checksum?: string }): object {
  const { checksum: _, ...content } = value;
  return { ...content, checksum: hashOf(content) };
}
function result(stage: string): any {
  const value = JSON.parse(readFileSync(resultPath(stage), 'utf8'));
  // A stage's result matches its kind's schema (the data stage's is 'data').
  expectValid(`result-${value.kind ?? stage}.schema.json`, value);
  return value;
}

describe('bnlab run -c smoke, stage by stage', () => {
  beforeAll(() => {
    ws = mkdtempSync(path.join(tmpdir(), 'bnlab-e2e-'));
    copyFileSync(path.join(repo, 'experiments.yaml'), path.join(ws, 'experiments.yaml'));
  });
  afterAll(() => rmSync(ws, { recursive: true, force: true }));

  it('rejects an unknown profile and a stage whose upstream has not run', async () => {
    const bad = await bnlab(['run', 'data', '-c', 'smokee']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("unknown profile 'smokee' (did you mean 'smoke'?)");
    const early = await bnlab(['run', 'coarse', '-c', 'smoke']);
    expect(early.exitCode).toBe(1);
    expect(early.stderr.trim()).toBe("bnlab: run 'data' first: results/smoke/data/result.json is missing");
  });

  it('data: both preparations with their sizes and fingerprints', async () => {
    const r = await bnlab(['run', 'data', '-c', 'smoke']);
    expect(r.exitCode, r.stderr).toBe(0);
    const data = result('data');
    const { train, test } = cifar10Records();
    expect(data.preparations.map((p: any) => [p.name, p.validation, p.splits.train + p.splits.validation, p.splits.test])).toEqual([
      ['main', 100, train, test],
      ['final', 100, train, test],
    ]);
    expect(JSON.stringify(data)).not.toContain(dataDir);
    expect(existsSync(path.join(ws, 'results/smoke/data/timing.json'))).toBe(true);
  });

  it('plan: every trial of the data-only stages is known and missing', async () => {
    const r = await bnlab(['plan', '-c', 'smoke', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expectValid('plan.schema.json', plan);
    const by = Object.fromEntries(plan.stages.map((s: any) => [s.stage, s]));
    expect(by.data.result).toBe('current');
    expect(plan.dataChecked).toBe(true);
    expect(by.coarse.trials).toMatchObject({ known: true, total: 4, stored: 0, missing: 4 });
    expect(by.fine.trials).toMatchObject({ known: false, total: 4 });
    // curves 2 nets × 2 BN × 2 seeds, coarse 4, fine 2 × 2, final 2 × 2, sigma 3 × 4 × 1, learning-rate 2 × 2 × 2 × 1
    // (each stage counts its own: learning-rate's η_max = 0.1 trials are curves' seed-1 trials, trained once);
    // then width-depth 3 nets, lambda 2, bn-placement 2, dropout 2, jitter 2 × 2, combine 2, best 2 seeds, one seed each.
    expect(plan.trialsLeft).toBe(8 + 4 + 4 + 4 + 12 + 8 + (3 + 2 + 2 + 2 + 4 + 2 + 2));
    expect(plan.trialsUnknown).toBe(true);

    // The time estimate: coarse's 4 trials of the 3-layer net (batch 50, n_s 6, one cycle, 2 points),
    // worked out here from the data's sizes, at the plan's rate, shared by its workers.
    const e = plan.estimate;
    expect(Object.keys(e.stages)).toEqual(['curves', 'coarse', 'fine', 'final', 'sigma', 'learning-rate', ...IMPROVEMENTS.filter((x) => x !== 'improvements')]);
    const { train, validation, test } = result('data').preparations[0].splits;
    const macs = 3072 * 50 + 50 * 50 + 50 * 10;
    const work = macs * (3 * 12 * 50 + 3 * (train + validation) + train + validation + test);
    expect(e.stages.coarse).toBeCloseTo((4 * work) / e.macsPerSecond / Math.min(e.workers, 4), 6);
    expect(e.seconds).toBeCloseTo(Object.values(e.stages as Record<string, number>).reduce((a, b) => a + b, 0), 6);
    expect(e.source).toMatch(/^a calibration of \S+ on \d+ threads?$/); // an empty store: nothing timed here yet
    const human = await bnlab(['plan', '-c', 'smoke']);
    expect(human.stdout).toMatch(/^time left: about \S+ on this machine with \d+ workers? \(curves .*; rate from a calibration of /m);
  });

  it('gradcheck passes on the real data', async () => {
    const r = await bnlab(['run', 'gradcheck', '-c', 'smoke']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/gradient check: 4 images × 20 dims/);
    const g = result('gradcheck');
    expect(g.passed).toBe(true);
    // 2 nets × (no BN, BN before the ReLU, BN after it)
    expect(g.nets.map((n: any) => [n.hidden.length + 1, n.batchNorm, n.bnPlacement ?? 'before'])).toEqual([
      [3, false, 'before'], [3, true, 'before'], [3, true, 'after'], [9, false, 'before'], [9, true, 'before'], [9, true, 'after'],
    ]);
  });

  it('coarse: --max-trials stops early without a result, the re-run trains only the rest', async () => {
    const first = await bnlab(['run', 'coarse', '-c', 'smoke', '--max-trials', '3', '--workers', '2']);
    expect(first.exitCode, first.stderr).toBe(3);
    expect(first.stderr).toContain('coarse: stopped after 3 new trials (--max-trials 3); 3/4 stored, no result written');
    expect(existsSync(resultPath('coarse'))).toBe(false);
    expect(records()).toHaveLength(3);

    const second = await bnlab(['run', 'coarse', '-c', 'smoke', '--workers', '2']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toContain('coarse: 4 trials, 3 stored, 1 to train');
    expect(second.stdout.match(/ done coarse /g)).toHaveLength(1);
    // The whole study's estimate first, then each finished trial carries the study's ETA.
    expect(second.stdout).toMatch(/^coarse: study time left: about \S+ on this machine/m);
    expect(second.stdout).toMatch(/\] done coarse .* · study ETA \S+$/m);
    expect(records()).toHaveLength(4);
    const coarse = result('coarse');
    expect(coarse.trials).toHaveLength(4);
    expect(coarse.best).toHaveLength(2);
    // The best are ranked by validation accuracy.
    expect(coarse.best[0].accuracy.validation).toBeGreaterThanOrEqual(coarse.best[1].accuracy.validation);
    for (const t of coarse.trials) expect(t.values.lambda).toBeGreaterThanOrEqual(1e-5);
  });

  it('a corrupt record is reported, deleted and recomputed to the same result bytes', async () => {
    const before = readFileSync(resultPath('coarse'), 'utf8');
    const victim = path.join(storeDir(), records()[0]);
    writeFileSync(victim, readFileSync(victim, 'utf8').slice(0, 100));
    const r = await bnlab(['run', 'coarse', '-c', 'smoke']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/is corrupt: not JSON .*deleted, the trial will be recomputed/);
    expect(r.stdout).toContain('coarse: 4 trials, 3 stored, 1 to train');
    expect(readFileSync(resultPath('coarse'), 'utf8')).toBe(before);
  });

  it('a tight gradcheck threshold fails the stage with the table printed and no result', async () => {
    const tight = path.join(ws, 'tight.yaml');
    const text = readFileSync(path.join(ws, 'experiments.yaml'), 'utf8');
    expect(text).toContain('threshold: 1.0e-6');
    writeFileSync(tight, text.replace('threshold: 1.0e-6', 'threshold: 1.0e-15'));
    const before = readFileSync(resultPath('gradcheck'), 'utf8');
    const r = await bnlab(['run', 'gradcheck', '-c', 'smoke', '--config', tight]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('FAILED');
    expect(r.stderr).toMatch(/^bnlab: gradcheck: relative error \S+ > threshold 1e-15$/m);
    // The result of the passing configuration is untouched.
    expect(readFileSync(resultPath('gradcheck'), 'utf8')).toBe(before);
  });

  it('Ctrl-C keeps the finished trials, writes no result and exits 130; the re-run trains the rest', async () => {
    const child = bnlab(['run', 'sigma', '-c', 'smoke', '--workers', '1']);
    let out = '';
    let sent = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // Once: a second Ctrl-C kills at once (also exit 130, but without the clean stop checked here).
      if (!sent && /\] done sigma /.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stderr).toContain('bnlab: SIGINT: stopping (finished trials are kept; again to kill)');
    expect(r.stderr.trim().split('\n').at(-1)).toBe('bnlab: interrupted');
    expect(existsSync(resultPath('sigma'))).toBe(false);
    const kept = records().length - 4; // the 4 coarse records
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(12);
    expect(readdirSync(storeDir(), { recursive: true }).filter((f) => String(f).endsWith('.lock'))).toEqual([]);

    const again = await bnlab(['run', 'sigma', '-c', 'smoke']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain(`sigma: 12 trials, ${kept} stored, ${12 - kept} to train`);
    expect(again.stdout.match(/\] done sigma /g)).toHaveLength(12 - kept);
  });

  it('two processes running the same stage at once train each trial once', async () => {
    const [a, b] = await Promise.all([
      bnlab(['run', 'curves', '-c', 'smoke', '--workers', '1']),
      bnlab(['run', 'curves', '-c', 'smoke', '--workers', '1']),
    ]);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(b.exitCode, b.stderr).toBe(0);
    const trained = (a.stdout.match(/\] done curves /g) ?? []).length + (b.stdout.match(/\] done curves /g) ?? []).length;
    expect(trained).toBe(8);
    result('curves');
  });

  it('fine, final and the improvement study complete; every result matches its schema', async () => {
    for (const stage of ['fine', 'final', 'learning-rate', ...IMPROVEMENTS]) {
      const r = await bnlab(['run', stage, '-c', 'smoke']);
      expect(r.exitCode, `${stage}: ${r.stderr}`).toBe(0);
      result(stage);
    }
    const fine = result('fine');
    const coarse = result('coarse');
    expect(fine.centres.map((c: any) => c.values.lambda)).toEqual(coarse.best.map((t: any) => t.values.lambda));
    const final = result('final');
    expect(final.values.lambda).toBe(fine.best[0].values.lambda);
    expect(final.groups.map((g: any) => g.runs.length)).toEqual([2, 2]);
    expect(result('sigma').groups).toHaveLength(12);
    expect(result('curves').groups.map((g: any) => g.name)).toEqual(['3-layer, no BN', '3-layer, BN', '9-layer, no BN', '9-layer, BN']);
    expect(result('bn-placement').groups.map((g: any) => g.name)).toEqual(['BN before ReLU', 'BN after ReLU']);
    const summary = result('improvements');
    expect(summary.comparisons.map((c: any) => c.stage)).toEqual(['width-depth', 'lambda', 'bn-placement', 'dropout', 'jitter']);
    expect(summary.best.runs.map((r: any) => r.accuracy)).toEqual(result('best').groups[0].runs.map((r: any) => r.accuracy));
  });

  it('report: renders report/smoke/ from the results, with a manifest matching its schema', async () => {
    const r = await bnlab(['run', 'report', '-c', 'smoke']);
    expect(r.exitCode, r.stderr).toBe(0);
    const manifest = result('report');
    expect(Object.keys(manifest.files)).toContain('README.md');
    expect(existsSync(path.join(ws, 'report/smoke/README.md'))).toBe(true);
  });

  it('plan: nothing left; a re-run trains nothing and rewrites the same bytes', async () => {
    const r = await bnlab(['plan', '-c', 'smoke', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expectValid('plan.schema.json', plan);
    expect(plan.trialsLeft).toBe(0);
    expect(plan.trialsUnknown).toBe(false);
    expect(plan.stagesToRun).toEqual([]);
    expect(plan.estimate).toMatchObject({ seconds: 0, stages: {} });
    expect((await bnlab(['plan', '-c', 'smoke'])).stdout.trim().split('\n').at(-1)).toBe('time left: 0s');
    const before = readFileSync(resultPath('sigma'), 'utf8');
    const again = await bnlab(['run', 'sigma', '-c', 'smoke']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('sigma: 12 trials, 12 stored, 0 to train');
    expect(readFileSync(resultPath('sigma'), 'utf8')).toBe(before);
  });

  it('a search result that does not match its trials is out of date, for run and plan alike', async () => {
    const file = resultPath('coarse');
    const good = readFileSync(file, 'utf8');
    const edited = JSON.parse(good);
    edited.trials.reverse(); // same configuration hash, other trials order: not what coarse would write
    writeFileSync(file, JSON.stringify(resealed(edited), null, 2));
    try {
      const r = await bnlab(['run', 'fine', '-c', 'smoke']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr.trim()).toBe(
        "bnlab: run 'coarse' first: results/smoke/coarse/result.json is out of date (its trials are not those of the current data and upstream results)",
      );
      const plan = JSON.parse((await bnlab(['plan', '-c', 'smoke', '--json'])).stdout);
      const by = Object.fromEntries(plan.stages.map((s: any) => [s.stage, s]));
      expect(by.coarse.result).toBe('stale');
      expect(by.fine.trials.known).toBe(false);
      expect(plan.stagesToRun).toEqual(['coarse', 'fine', 'final', 'report']);
    } finally {
      writeFileSync(file, good);
    }
  });

  it('plan: a data result whose fingerprints are not the data files\' is stale, and so is everything after it', async () => {
    const file = resultPath('data');
    const good = readFileSync(file, 'utf8');
    const edited = JSON.parse(good);
    edited.preparations[0].fingerprint = 'e'.repeat(64);
    writeFileSync(file, JSON.stringify(resealed(edited), null, 2));
    try {
      const r = await bnlab(['plan', '-c', 'smoke', '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const plan = JSON.parse(r.stdout);
      expect(plan.stages[0]).toMatchObject({ stage: 'data', result: 'stale' });
      expect(plan.stages[0].reason).toMatch(/^the 'main' data now has fingerprint [0-9a-f]{12}…, not eeeeeeeeeeee…$/);
      expect(plan.stagesToRun).toEqual(SMOKE_STAGES);
      expect(plan.trialsUnknown).toBe(true);
    } finally {
      writeFileSync(file, good);
    }
  });

  // Last: it rewrites the coarse result under another configuration.
  it('one worker trains many trials in a row with a WebAssembly kernel (a fresh kernel per trial)', async () => {
    const many = path.join(ws, 'many.yaml');
    const text = readFileSync(path.join(ws, 'experiments.yaml'), 'utf8');
    expect(text).toMatch(/\n {8}samples: 4\n/);
    writeFileSync(many, text.replace(/\n {8}samples: 4\n/, '\n        samples: 40\n'));
    const r = await bnlab(['run', 'coarse', '-c', 'smoke', '--config', many, '--workers', '1', '--kernel', 'wasm-simd-f32']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.match(/\] done coarse /g)).toHaveLength(40);
    expect(result('coarse').trials).toHaveLength(40);
  });
});
