import { describe, expect, it } from 'vitest';
import { gradcheckChart } from './gradcheck.js';
import { studyFixture } from '../testing/fixture.js';
import { newDocument, parseSvg } from '../testing/svg.js';

describe('gradcheckChart', () => {
  const g = studyFixture().gradcheck;
  const p = parseSvg(gradcheckChart(g, newDocument()));

  it('draws one dot per check, one dot mark per parameter', () => {
    const dots = p.marks('dot');
    expect(dots).toHaveLength(4); // W, b, gamma, beta
    const total = dots.reduce((n, m) => n + m.querySelectorAll('circle').length, 0);
    expect(total).toBe(g.nets.reduce((n, net) => n + net.checks.length, 0));
    // The W mark holds one dot per layer of every net.
    expect(dots[0].querySelectorAll('circle').length).toBe(g.nets.reduce((n, net) => n + net.hidden.length + 1, 0));
  });

  it('draws the threshold in every facet and a log y axis labelled in powers of ten', () => {
    expect(p.marks('rule')[0].querySelectorAll('line').length).toBe(4); // 2 depths × 2 batch-norm settings
    const ticks = p.marks('y-axis tick label').flatMap((m) => Array.from(m.querySelectorAll('text')).map((t) => t.textContent));
    expect(ticks).toContain('1e-6');
    expect(ticks.filter((t) => t !== '').every((t) => /^1e-\d+$/.test(t!))).toBe(true);
  });

  it('labels facets, axes, legend and the zero error', () => {
    const texts = p.texts();
    expect(texts).toEqual(expect.arrayContaining(['no BN', 'BN', '3-layer', '9-layer', 'layer', 'relative error']));
    expect(texts).toEqual(expect.arrayContaining(['W', 'b', 'γ', 'β', 'threshold 1e-6']));
    expect(texts.some((t) => t.startsWith('Hollow: an error of exactly 0 (1)'))).toBe(true);
    const hollow = p.root.querySelectorAll('circle[fill="white"]');
    expect(hollow.length).toBe(1);
  });

  it('says how many checks exceed the threshold', () => {
    const failing = structuredClone(g);
    failing.nets[0].checks[0].relativeError = 3e-4;
    failing.nets[1].checks[2].relativeError = 2e-5;
    expect(parseSvg(gradcheckChart(failing, newDocument())).texts()[1]).toContain('2 above the threshold');
  });
});
