import { TRAINING_OPTIONS } from '@bnlab/engine';
// The shipped experiments.yaml: valid under every profile, checked by the schema on its own (an
// independent ajv, not bnlab's loader), and its default profile is the reference study.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Ajv } from 'ajv';
import { loadStudies, resolveStudyText } from '../packages/pipeline/src/config/load.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const file = path.join(root, 'experiments.yaml');
const text = readFileSync(file, 'utf8');
// The pipeline's yaml (2.x); the root node_modules holds an older one for another tool.
const { parse } = createRequire(path.join(root, 'packages/pipeline/package.json'))('yaml') as typeof import('yaml');

describe('experiments.yaml', () => {
  it('points editors at the schema, and the schema accepts it', () => {
    const first = text.split('\n')[0];
    const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(m, first).not.toBeNull();
    const schema = JSON.parse(readFileSync(path.join(root, m![1]), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('resolves under every profile, default first', () => {
    const studies = loadStudies(file, {});
    expect(Object.keys(studies)).toEqual(['default', 'smoke', 'fashion-mnist']);
    for (const [name, s] of Object.entries(studies)) expect(s.profile).toBe(name);
  });

  it('pins the portable kernel in the published profiles; smoke picks the fastest', () => {
    const studies = loadStudies(file, {});
    expect(studies.default.kernel).toBe('wasm-simd-f32');
    expect(studies['fashion-mnist'].kernel).toBe('wasm-simd-f32');
    expect(studies.smoke.kernel).toBe('auto');
    expect(studies['fashion-mnist'].data.dataset).toBe('fashion-mnist');
  });

  it('its default profile is the reference study, declared as kinds', () => {
    const s = loadStudies(file, {}).default;
    const stage = (name: string) => s.stages.find((x) => x.name === name)!;
    const settings = (name: string) => stage(name).settings as Record<string, any>;
    expect(s.stages.map((x) => `${x.name}:${x.kind}`)).toEqual([
      'gradcheck:gradcheck', 'curves:grid', 'coarse:search', 'fine:refine', 'final:evaluate', 'sigma:grid', 'learning-rate:grid',
      'width-depth:grid', 'lambda:grid', 'bn-placement:grid', 'dropout:grid', 'jitter:grid', 'combine:search', 'best:evaluate', 'improvements:summary',
      'report:report',
    ]);
    // The reference: n_s = 2250 updates on 45000 images, batch 100 (5 epochs); λ = 0.005; η in [1e-5, 1e-1].
    expect(settings('curves').base.training).toEqual({
      // The reference's settings, and every other engine option at its default (a new option leaves the study alone).
      options: { ...Object.fromEntries(TRAINING_OPTIONS.map((o) => [o.name, o.default])), lambda: 0.005, etaMin: 1e-5, etaMax: 0.1, batch: 100, cycles: 2, pointsPerCycle: 10, eps: Number.EPSILON, alpha: 0.9 },
      ns: { epochs: 5 },
      init: { kind: 'he' },
    });
    expect(settings('coarse')).toMatchObject({ space: [{ name: 'lambda', dist: { logUniform: [1e-5, 0.1] } }], samples: 50, keep: 3 });
    expect(settings('coarse').base.net).toEqual({ name: '3-layer', hidden: [50, 50], batchNorm: true });
    expect(settings('fine')).toMatchObject({ from: 'coarse', around: [{ name: 'lambda', width: { absolute: 0.00025 }, lo: 1e-6 }], samples: 50 });
    expect(settings('final').seeds).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(settings('final').training.options.cycles).toBe(3);
    expect(settings('final').nets.map((n: any) => n.hidden.length + 1)).toEqual([3, 9]);
    expect(settings('sigma').factors[0]).toEqual({ name: 'sigma', values: [0.1, 1e-3, 1e-4] });
    // The learning-rate study: η_max over at least 4 values, with and without batch norm, 3- and 9-layer, ≥ 3 seeds.
    const lr = settings('learning-rate');
    expect(lr.factors.map((f: any) => f.name)).toEqual(['etaMax', 'net', 'batchNorm']);
    expect(lr.factors[0].values.length).toBeGreaterThanOrEqual(4);
    expect(lr.seeds.length).toBeGreaterThanOrEqual(3);
    expect(s.data).toEqual({ dataset: 'cifar10', validation: 0.1, finalValidation: 0.02 });
    // The gradient check covers batch norm after the ReLU (issue 16).
    expect(settings('gradcheck').nets.filter((n: any) => n.bnPlacement === 'after').map((n: any) => n.name)).toEqual(['3-layer', '9-layer']);
  });

  it('its improvement study: a wider and a deeper net, λ, BN placement, dropout on the wide net, jitter, ≥ 3 seeds; the best ≥ 10 seeds', () => {
    for (const profile of ['default', 'fashion-mnist']) {
      const s = loadStudies(file, {})[profile];
      const settings = (name: string) => s.stages.find((x) => x.name === name)!.settings as Record<string, any>;
      const grids = ['width-depth', 'lambda', 'bn-placement', 'dropout', 'jitter'];
      for (const g of grids) expect(settings(g).seeds.length, g).toBeGreaterThanOrEqual(3);
      const nets = settings('width-depth').nets as Record<string, number[]>;
      expect(Object.values(nets).some((h) => h.length === 2 && h.every((w) => w >= 150))).toBe(true);
      expect(Object.values(nets).some((h) => h.length > 2)).toBe(true);
      expect(settings('lambda').factors[0].values.length).toBeGreaterThanOrEqual(5);
      expect(settings('bn-placement').factors[0].values).toEqual(['before', 'after']);
      expect(settings('dropout').base.net.hidden.every((w: number) => w >= 150)).toBe(true);
      expect(settings('jitter').factors.map((f: any) => f.name)).toEqual(['jitterFlip', 'jitterShift']);
      expect(settings('best').seeds.length).toBeGreaterThanOrEqual(10);
      expect(settings('improvements')).toMatchObject({ compare: grids, best: 'best', reference: { accuracy: 0.5366 } });
    }
  });
});
