import { describe, expect, it } from 'vitest';
import { coarseChart, fineChart, logTicks } from './search.js';
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

  it('keeps the rank labels apart when the best λ lie close together', () => {
    // The published coarse search's case: #1 and #3 a few pixels apart, both drawn above their ring.
    const c = structuredClone(coarse);
    c.best[2] = { ...c.best[2], lambda: c.best[0].lambda * 1.02, accuracy: { ...c.best[2].accuracy, validation: c.best[0].accuracy.validation - 0.002 } };
    c.trials = c.trials.map((t) => (t.hash === c.best[2].hash ? c.best[2] : t));
    // Plot puts a text mark's dx, dy on its group and the point on the <text>.
    const translate = (e: Element) => (/translate\(([-\d.]+),([-\d.]+)\)/.exec(e.getAttribute('transform') ?? '') ?? [0, 0, 0]).slice(1).map(Number);
    const labels = parseSvg(coarseChart(c, newDocument())).marks('text').map((m) => {
      const t = m.querySelector('text')!;
      const [[gx, gy], [x, y]] = [translate(m), translate(t)];
      return { text: t.textContent, x: gx + x, y: gy + y };
    });
    const centre = (rank: string) => labels.find((l) => l.text === rank)!;
    const [a, b] = [centre('#1'), centre('#3')];
    // Two 10 px labels overlap unless their centres are a line apart vertically or a label's width apart horizontally.
    expect(Math.abs(a.y - b.y) >= 12 || Math.abs(a.x - b.x) >= 14, JSON.stringify([a, b])).toBe(true);
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

  it('labels the λ axis of every panel, even a narrow window far from a decade', () => {
    // The published fine search's middle centre, 8.75e-2 ± 2.5e-4: Plot's log tick format blanked its labels.
    const f = structuredClone(fine);
    const c = f.centres[1];
    f.centres[1] = { ...c, centre: 8.7527e-2, trials: c.trials.map((t) => ({ ...t, lambda: 8.7527e-2 + (t.lambda - c.centre) })) };
    const q = parseSvg(fineChart(f, newDocument()));
    q.marks('panel').forEach((panel, i) => {
      const labels = Array.from(panel.querySelectorAll('g[aria-label="x-axis tick label"] text')).map((t) => t.textContent ?? '');
      const ticks = panel.querySelectorAll('g[aria-label="x-axis tick"] path');
      expect(ticks.length, `panel ${i}`).toBeGreaterThanOrEqual(3);
      expect(labels, `panel ${i}`).toHaveLength(ticks.length);
      for (const l of labels) expect(l, `panel ${i}`).toMatch(/^\d(\.\d+)?e-\d+$/);
    });
  });

  it('names each centre and the best λ in its legend', () => {
    const texts = p.texts();
    expect(texts).toEqual(expect.arrayContaining(fine.centres.map((c) => `centre ${c.centre.toExponential(4).replace(/\.?0+e/, 'e')}`)));
    expect(texts).toContain(`best overall: λ = ${fine.best.lambda.toExponential(4).replace(/\.?0+e/, 'e')}`);
    expect(texts).toContain('λ (log scale)');
  });
});

describe('logTicks', () => {
  it('steps through a narrow window in round values', () => {
    // (8.78e-2 − 8.72e-2) / 6 = 1e-4: a step of 1e-4, seven ticks.
    expect(logTicks(8.72e-2, 8.78e-2, 6)).toEqual([0.0872, 0.0873, 0.0874, 0.0875, 0.0876, 0.0877, 0.0878]);
    // 1.4e-3 / 8 = 1.75e-4, rounded up to 2e-4.
    expect(logTicks(4.69e-2, 4.83e-2, 8)).toEqual([0.047, 0.0472, 0.0474, 0.0476, 0.0478, 0.048, 0.0482]);
  });

  it('takes the decades of a window that spans them, adding 2× and 5× when they are few', () => {
    expect(logTicks(1e-6, 2.6e-4, 6)).toEqual([1e-6, 1e-5, 1e-4]);
    expect(logTicks(0.02, 0.3, 6)).toEqual([0.02, 0.05, 0.1, 0.2]);
  });
});
