import { describe, expect, it } from 'vitest';
import { sigmaChart } from './sigma.js';
import { studyFixture } from '../testing/fixture.js';
import { newDocument, parseSvg } from '../testing/svg.js';

describe('sigmaChart', () => {
  const { sigma } = studyFixture();
  const p = parseSvg(sigmaChart(sigma, newDocument(), { chance: 0.1 }));

  it('draws a bar and a ± std rule per configuration and a dot per seed', () => {
    expect(p.marks('bar')[0].querySelectorAll('rect').length).toBe(sigma.groups.length);
    expect(p.marks('rule')[0].querySelectorAll('line').length).toBe(sigma.groups.length);
    const dots = p.marks('dot').reduce((n, g) => n + g.querySelectorAll('circle').length, 0);
    expect(dots).toBe(sigma.groups.reduce((n, g) => n + g.runs.length, 0));
  });

  it('facets by σ (largest first) and depth, with batch norm coloured', () => {
    const texts = p.texts();
    expect(texts.filter((t) => t.startsWith('σ = '))).toEqual(['σ = 1e-1', 'σ = 1e-3', 'σ = 1e-4']);
    expect(texts).toEqual(expect.arrayContaining(['3-layer', '9-layer', 'no BN', 'BN', 'test accuracy (%)', 'chance 10.00 %']));
    const fills = new Set(Array.from(p.root.querySelectorAll('g[aria-label="dot"] circle')).map((c) => c.getAttribute('fill')));
    expect(fills).toEqual(new Set(['#9c6b4e', '#a463f2']));
  });

  it('draws the chance line in every facet', () => {
    expect(p.marks('rule')[1].querySelectorAll('line').length).toBe(6);
  });
});
