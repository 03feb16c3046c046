import { describe, expect, it } from 'vitest';
import { finalSpreadChart } from './final-spread.js';
import { studyFixture } from '../testing/fixture.js';
import { newDocument, parseSvg } from '../testing/svg.js';

describe('finalSpreadChart', () => {
  const { final } = studyFixture({ finalRuns: 7 });
  const p = parseSvg(finalSpreadChart(final, newDocument()));

  it('draws a dot per run and split, and a mean ± std bar per split and net', () => {
    expect(p.marks('dot')[0].querySelectorAll('circle').length).toBe(7 * 3 * final.groups.length);
    expect(p.marks('rule')[0].querySelectorAll('line').length).toBe(3 * final.groups.length);
    expect(p.marks('rule')[1].querySelectorAll('line').length).toBe(3 * final.groups.length);
    const colours = new Set(Array.from(p.marks('dot')[0].querySelectorAll('circle')).map((c) => c.getAttribute('fill')));
    expect(colours).toEqual(new Set(['#4269d0', '#ff725c', '#3ca951']));
  });

  it('puts the bar from mean − std to mean + std (the longest bar is the largest std)', () => {
    const bars = Array.from(p.marks('rule')[0].querySelectorAll('line')).map((l) => Math.abs(Number(l.getAttribute('y2')) - Number(l.getAttribute('y1'))));
    const stds = final.groups.flatMap((g) => [g.std.train, g.std.validation, g.std.test]);
    expect(bars.indexOf(Math.max(...bars))).toBe(stds.indexOf(Math.max(...stds)));
  });

  it('keeps every ± std bar inside the plot, even when it reaches past the runs', () => {
    const wide = structuredClone(final);
    wide.groups[0].std.validation = 0.05; // a bar far longer than the runs' own spread
    const q = parseSvg(finalSpreadChart(wide, newDocument()));
    for (const line of Array.from(q.marks('rule')[0].querySelectorAll('line'))) {
      for (const y of [Number(line.getAttribute('y1')), Number(line.getAttribute('y2'))]) {
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y, 'inside the 360 px panel, above its 30 px bottom margin').toBeLessThanOrEqual(330);
      }
    }
  });

  it('labels nets, splits and the number of runs', () => {
    const texts = p.texts();
    expect(texts).toEqual(expect.arrayContaining(['3-layer, BN', '9-layer, BN', 'training', 'validation', 'test', 'accuracy (%)', 'mean ± std']));
    expect(texts[0]).toBe('Final evaluation: the spread of 7 runs per net');
  });
});
