import { describe, expect, it } from 'vitest';
import { coarseChart, fineChart } from './search.js';
import { studyFixture } from '../testing/fixture.js';
import { newDocument, parseSvg } from '../testing/svg.js';

const circles = (g: Element) => g.querySelectorAll('circle').length;

describe('coarseChart', () => {
  const { coarse } = studyFixture();
  const p = parseSvg(coarseChart(coarse, newDocument()));

  it('draws every trial, the diverged ones apart, and rings the best 3 with their rank', () => {
    const dots = p.marks('dot');
    expect(dots).toHaveLength(3);
    const diverged = coarse.trials.filter((t) => t.diverged).length;
    expect(diverged).toBe(1);
    expect(circles(dots[0])).toBe(coarse.trials.length - diverged);
    expect(dots[1].querySelectorAll('path').length).toBe(diverged); // drawn as a cross
    expect(circles(dots[2])).toBe(3);
    const labels = p.marks('text').flatMap((m) => Array.from(m.querySelectorAll('text')).map((t) => t.textContent));
    expect(labels.sort()).toEqual(['#1', '#2', '#3']);
  });

  it('has a log λ axis with a tick per decade, and labelled axes', () => {
    const ticks = p.marks('x-axis tick label').flatMap((m) => Array.from(m.querySelectorAll('text')).map((t) => t.textContent));
    expect(ticks).toEqual(['1e-5', '1e-4', '1e-3', '1e-2', '1e-1']);
    expect(p.texts()).toEqual(expect.arrayContaining(['λ (L2 regularisation, log scale)', 'validation accuracy (%)', 'diverged', 'best 3 by validation accuracy']));
  });

  it('places the best trial highest', () => {
    const [best] = Array.from(p.marks('dot')[2].querySelectorAll('circle'));
    const ys = Array.from(p.marks('dot')[0].querySelectorAll('circle')).map((c) => Number(c.getAttribute('cy')));
    expect(Number(best.getAttribute('cy'))).toBe(Math.min(...ys));
  });
});

describe('fineChart', () => {
  const { fine } = studyFixture();
  const p = parseSvg(fineChart(fine, newDocument()));

  it('draws a panel per centre: its trials in its colour, a rule at the centre, the best ringed in its panel', () => {
    const panels = p.marks('panel');
    expect(panels).toHaveLength(fine.centres.length);
    const bestCentre = fine.centres.findIndex((c) => c.trials.includes(fine.best));
    panels.forEach((panel, i) => {
      const dots = panel.querySelectorAll('g[aria-description="trial"] circle');
      expect(dots.length, `centre ${i}`).toBe(fine.centres[i].trials.filter((t) => !t.diverged).length);
      expect(panel.querySelectorAll('g[aria-description="centre"] line')).toHaveLength(1);
      expect(panel.querySelectorAll('g[aria-description="best"] circle')).toHaveLength(i === bestCentre ? 1 : 0);
    });
    // A constant fill sits on the mark's group: one colour per centre.
    const colours = panels.map((panel) => panel.querySelector('g[aria-description="trial"]')!.getAttribute('fill'));
    expect(colours).toEqual(['#4269d0', '#efb118', '#ff725c']);
  });

  it('names each centre and the best λ in its legend', () => {
    const texts = p.texts();
    expect(texts).toEqual(expect.arrayContaining(fine.centres.map((c) => `centre ${c.centre.toExponential(4).replace(/\.?0+e/, 'e')}`)));
    expect(texts).toContain(`best overall: λ = ${fine.best.lambda.toExponential(4).replace(/\.?0+e/, 'e')}`);
    expect(texts).toContain('λ (log scale)');
  });
});
