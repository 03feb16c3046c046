// The training stages' plans and aggregation on fake records: which trials each stage asks for (and
// with which identity), and how their results are ranked and summarised.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DataStageResult, TrainResult } from '@bnlab/report';
import { loadStudy } from '../config/index.js';
import type { TrialRecord, TrialSpec } from '../trials/executor.js';
import { trialHash } from '../trials/identity.js';
import { planCoarse } from './coarse.js';
import type { StageEnv } from './context.js';
import { planCurves } from './curves.js';
import { planFinal } from './final.js';
import { planFine } from './fine.js';
import { planSigma } from './sigma.js';

const studyFile = fileURLToPath(new URL('../../../../experiments.yaml', import.meta.url));
const envFor = (profile: string): StageEnv => ({
  workspace: '/nowhere',
  study: { ...loadStudy(studyFile, profile, {}), kernel: 'ts-f32' },
  kernel: 'ts-f32',
  engine: 'bnlab-engine/test+ts-f32',
});
const data: DataStageResult = {
  stage: 'data', profile: 'x', configHash: '0'.repeat(64), engine: 'none', kernel: 'none',
  dataset: 'cifar10', classes: ['a', 'b'], dimensions: 3072,
  preparations: [
    { name: 'main', validation: 517, splits: { train: 4653, validation: 517, test: 1017 }, fingerprint: '1'.repeat(64) },
    { name: 'final', validation: 103, splits: { train: 5067, validation: 103, test: 1017 }, fingerprint: '2'.repeat(64) },
  ],
};

function fake(validation: number, train = 0.5, test = 0.25, diverged = false): TrainResult {
  return {
    accuracy: { train, validation, test },
    cost: { train: 1, validation: 1, test: 1 },
    loss: { train: 1, validation: 1, test: 1 },
    history: [],
    diverged,
  };
}
function recordsFor(specs: TrialSpec[], result: (s: TrialSpec, i: number) => TrainResult): Map<string, TrialRecord> {
  return new Map(specs.map((s, i) => [s.hash, {
    hash: s.hash,
    identity: { config: s.config, preparation: s.preparation, dataFingerprint: s.dataFingerprint, engine: s.engine },
    result: result(s, i),
    meta: { computeSeconds: 99, host: 'h', finishedAt: '2026-01-01T00:00:00.000Z', worker: 'w' },
  }]));
}

describe('stage plans', () => {
  it('name each trial by the hash of its configuration, preparation, data fingerprint and engine', () => {
    const env = envFor('default');
    const { trials } = planCoarse(env, data);
    expect(trials).toHaveLength(50);
    const t = trials[0];
    expect(t.hash).toBe(trialHash(t));
    expect(t).toMatchObject({ preparation: 'main', dataFingerprint: '1'.repeat(64), engine: 'bnlab-engine/test+ts-f32' });
    // n_s = 5 epochs × ⌊4653 / 100⌋ updates; 2 cycles; the coarse net is the 3-layer net with batch norm.
    expect(t.config).toMatchObject({ ns: 5 * 46, cycles: 2, hidden: [50, 50], batchNorm: true, seed: 1, batch: 100 });
    expect(new Set(trials.map((x) => x.hash)).size).toBe(50);
  });

  it('curves and sigma: every net × seed (× σ), in configuration order', () => {
    const env = envFor('default');
    const curves = planCurves(env, data);
    expect(curves.trials).toHaveLength(4 * 5);
    const sigma = planSigma(env, data);
    expect(sigma.trials).toHaveLength(3 * 4 * 5);
    expect(sigma.trials[0].config.init).toEqual({ kind: 'normal', sigma: 0.1 });
    const result = sigma.aggregate(recordsFor(sigma.trials, (_s, i) => fake(i / 100)));
    expect(result.groups).toHaveLength(12);
    expect(result.groups[0]).toMatchObject({ name: '3-layer, no BN, σ=0.1', sigma: 0.1, lambda: 0.005 });
    expect(result.groups[0].runs.map((r) => r.seed)).toEqual([1, 2, 3, 4, 5]);
    expect(result.groups[11].runs[4].result.accuracy.validation).toBe(0.59);
  });

  it('coarse → fine → final: the best λs carry over, and final summarises its runs', () => {
    const env = envFor('smoke');
    const coarsePlan = planCoarse(env, data);
    // Validation accuracies 0.3, 0.9 (diverged), 0.5, 0.4: best two are #3 then #4.
    const vals = [0.3, 0.9, 0.5, 0.4];
    const coarse = coarsePlan.aggregate(recordsFor(coarsePlan.trials, (_s, i) => fake(vals[i], 0.5, 0.25, i === 1)));
    expect(coarse.trials.map((t) => t.accuracy.validation)).toEqual(vals);
    expect(coarse.best.map((t) => t.lambda)).toEqual([coarse.trials[2].lambda, coarse.trials[3].lambda]);

    const finePlan = planFine(env, data, coarse);
    expect(finePlan.trials).toHaveLength(2 * 2);
    const fine = finePlan.aggregate(recordsFor(finePlan.trials, (_s, i) => fake([0.1, 0.2, 0.6, 0.3][i])));
    expect(fine.centres.map((c) => c.centre)).toEqual(coarse.best.map((t) => t.lambda));
    for (const c of fine.centres) for (const t of c.trials) expect(Math.abs(t.lambda - c.centre)).toBeLessThanOrEqual(fine.halfWidth);
    expect(fine.best).toEqual(fine.centres[1].trials[0]);

    const finalPlan = planFinal(env, data, fine);
    expect(finalPlan.trials.every((t) => t.preparation === 'final' && t.dataFingerprint === '2'.repeat(64))).toBe(true);
    expect(finalPlan.trials.every((t) => t.config.lambda === fine.best.lambda)).toBe(true);
    // Two nets × two seeds: test accuracies 0.50, 0.70 (3-layer) and 0.40, 0.40 (9-layer).
    const tests = [0.5, 0.7, 0.4, 0.4];
    const final = finalPlan.aggregate(recordsFor(finalPlan.trials, (_s, i) => fake(0.5, 0.6, tests[i])));
    expect(final.groups.map((g) => g.name)).toEqual(['3-layer, BN', '9-layer, BN']);
    expect(final.groups[0].mean.test).toBeCloseTo(0.6, 15);
    // Sample std of {0.5, 0.7}: √((0.1² + 0.1²)/1) = 0.1414…
    expect(final.groups[0].std.test).toBeCloseTo(Math.SQRT2 / 10, 15);
    expect(final.groups[1].std.test).toBe(0);
    expect(final.groups[0].std.validation).toBe(0);
  });

  it('aggregate only results: records differing in meta give the same result', () => {
    const env = envFor('smoke');
    const plan = planCoarse(env, data);
    const a = recordsFor(plan.trials, () => fake(0.3));
    const b = new Map([...a].map(([h, r]) => [h, { ...r, meta: { ...r.meta, computeSeconds: 1, host: 'other' } }]));
    expect(JSON.stringify(plan.aggregate(b))).toBe(JSON.stringify(plan.aggregate(a)));
  });
});
