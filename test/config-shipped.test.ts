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

  it('its default profile is the reference study, the same as the schema defaults', () => {
    const s = loadStudies(file, {}).default;
    // The reference: n_s = 2250 updates on 45000 images, batch 100 (5 epochs); λ = 0.005; η in [1e-5, 1e-1].
    expect(s.stages.curves.training).toEqual({
      lambda: 0.005, etaMin: 1e-5, etaMax: 0.1, batch: 100, ns: { epochs: 5 }, cycles: 2, pointsPerCycle: 10, init: { kind: 'he' },
    });
    expect(s.stages.coarse).toMatchObject({ exponentMin: -5, exponentMax: -1, samples: 50, keep: 3 });
    expect(s.stages.coarse.net).toEqual({ name: '3-layer', hidden: [50, 50], batchNorm: true });
    expect(s.stages.fine).toMatchObject({ samplesPerCentre: 50, halfWidth: 0.00025, floor: 1e-6 });
    expect(s.stages.final.seeds).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(s.stages.final.training.cycles).toBe(3);
    expect(s.stages.final.nets.map((n) => n.hidden.length + 1)).toEqual([3, 9]);
    expect(s.stages.sigma.sigmas).toEqual([0.1, 1e-3, 1e-4]);
    expect(s.stages.sigma.nets).toHaveLength(4);
    expect(s.data).toEqual({ dataset: 'cifar10', validation: 0.1, finalValidation: 0.02 });
    const bare = resolveStudyText('version: 1\n', 'bare.yaml');
    expect({ ...bare, kernel: s.kernel, profiles: s.profiles }).toEqual(s);
  });
});
