import { describe, expect, it } from 'vitest';
import { bnComparisons, depthComparisons, groupSlug } from './groups.js';
import { studyFixture } from './testing/fixture.js';

describe('comparisons', () => {
  const study = studyFixture();

  it('pairs each group without batch norm with its twin (same net, init, λ and σ)', () => {
    const sigma = bnComparisons('sigma', study.sigma.groups);
    expect(sigma.map((c) => c.subject)).toEqual([
      '3-layer, σ = 1e-1', '9-layer, σ = 1e-1', '3-layer, σ = 1e-3', '9-layer, σ = 1e-3', '3-layer, σ = 1e-4', '9-layer, σ = 1e-4',
    ]);
    const c = sigma[3];
    const g = study.sigma.groups;
    expect(c.a.values.test).toEqual(g[6].runs.map((r) => r.result.accuracy.test));
    expect(c.b.values.test).toEqual(g[7].runs.map((r) => r.result.accuracy.test));
    expect(c.welch.test.diff).toBeCloseTo(c.b.summary.test.mean - c.a.summary.test.mean, 15);
  });

  it('leaves a group without a twin out', () => {
    expect(bnComparisons('curves', study.curves.groups.filter((g) => !(g.net.batchNorm && g.net.hidden.length > 2)))).toHaveLength(1);
  });

  it('compares the shallowest with the deepest net per batch-norm setting', () => {
    const d = depthComparisons(study.curves.groups);
    expect(d.map((c) => [c.a.label, c.b.label])).toEqual([
      ['3-layer, no BN', '9-layer, no BN'],
      ['3-layer, BN', '9-layer, BN'],
    ]);
    expect(d[0].actor).toBe('going from 3 to 9 layers');
  });

  it('gives every group a distinct file slug', () => {
    const slugs = [...study.curves.groups, ...study.sigma.groups].map(groupSlug);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(slugs).toContain('sigma-1e-3-9-layer-no-bn');
  });
});
