import { describe, expect, it } from 'vitest';
import type { HistoryPoint } from '../results.js';
import { bandRows, curvesChart, etaRows } from './curves.js';
import { studyFixture } from '../testing/fixture.js';
import { newDocument, parseSvg } from '../testing/svg.js';

const point = (update: number, trainAcc: number, valAcc: number): HistoryPoint => ({
  update,
  epoch: update / 10,
  eta: 0.01,
  cost: { train: 2, validation: 2.1 },
  loss: { train: 1.9, validation: 2 },
  accuracy: { train: trainAcc, validation: valAcc },
});

/** A panel's scale read back from its first and last tick labels: value → pixel. */
function axisScale(panel: Element, axis: 'x' | 'y'): (v: number) => number {
  // Tick labels group thousands with commas ("1,000").
  const ticks = Array.from(panel.querySelectorAll(`g[aria-label="${axis}-axis tick label"] text`)).map((t) => {
    const [, x, y] = /translate\(([\d.]+),([\d.]+)\)/.exec(t.getAttribute('transform')!)!;
    return { value: Number(t.textContent!.replace(/,/g, '')), px: Number(axis === 'x' ? x : y) };
  });
  const [a, b] = [ticks[0], ticks[ticks.length - 1]];
  return (v: number) => a.px + ((v - a.value) * (b.px - a.px)) / (b.value - a.value);
}

describe('bandRows', () => {
  it('takes mean, min and max over runs per update, leaving non-finite values out', () => {
    const rows = bandRows(
      [
        [point(0, 0.1, 0.2), point(10, 0.5, 0.4)],
        [point(0, 0.3, 0.2), point(10, NaN, 0.6)],
      ],
      'accuracy',
    );
    expect(rows).toEqual([
      { update: 0, series: 'training', mean: 0.2, min: 0.1, max: 0.3, n: 2 },
      { update: 10, series: 'training', mean: 0.5, min: 0.5, max: 0.5, n: 1 },
      { update: 0, series: 'validation', mean: 0.2, min: 0.2, max: 0.2, n: 2 },
      { update: 10, series: 'validation', mean: 0.5, min: 0.4, max: 0.6, n: 2 },
    ]);
  });
});

describe('etaRows', () => {
  it('gives the schedule once per recorded step, in update order, from the first run that recorded it', () => {
    const at = (update: number, eta: number) => ({ ...point(update, 0.1, 0.1), eta });
    expect(etaRows([[at(10, 0.02), at(0, 1e-5)], [at(0, 9), at(20, 0.04)]])).toEqual([
      { update: 0, eta: 1e-5 },
      { update: 10, eta: 0.02 },
      { update: 20, eta: 0.04 },
    ]);
  });
});

describe('curvesChart', () => {
  const study = studyFixture();
  const group = study.curves.groups[3];
  const svg = curvesChart(group, newDocument(), 'curves-x');
  const p = parseSvg(svg);

  it('has three panels (cost, loss, accuracy), each with one line and one band per series, then the η panel', () => {
    expect(p.marks('panel')).toHaveLength(4);
    const lines = p.marks('line').slice(0, 3);
    const areas = p.marks('area');
    expect(areas).toHaveLength(3);
    for (const g of [...lines, ...areas]) expect(g.querySelectorAll('path').length).toBe(2);
    const strokes = Array.from(lines[0].querySelectorAll('path')).map((x) => x.getAttribute('stroke'));
    expect(strokes).toEqual(['#4269d0', '#ff725c']);
  });

  it('names its series, its axes and the group in the svg', () => {
    const texts = p.texts();
    expect(texts).toEqual(expect.arrayContaining(['training (mean over seeds)', 'validation (mean over seeds)', 'min–max over seeds']));
    expect(texts).toEqual(expect.arrayContaining(['cost', 'loss', 'accuracy (%)', 'learning rate η', 'update step']));
    expect(texts[0]).toBe('Cost, loss, accuracy and learning rate: 9-layer, BN, He init');
    expect(texts[1]).toContain('3 seeds (1, 2, 3)');
  });

  it('draws the accuracy lines through the mean over seeds, in percent', () => {
    // Read the y scale back from its tick labels, then check the last point of each line.
    const panel = p.marks('panel')[2];
    const toPixel = axisScale(panel, 'y');
    const paths = Array.from(panel.querySelectorAll('g[aria-label="line"] path'));
    for (const [i, split] of (['train', 'validation'] as const).entries()) {
      const last = group.runs.map((r) => r.result.history[r.result.history.length - 1].accuracy[split]);
      const mean = (100 * last.reduce((x, y) => x + y, 0)) / last.length;
      const d = paths[i].getAttribute('d')!;
      const end = Number(d.slice(d.lastIndexOf(',') + 1));
      expect(Math.abs(end - toPixel(mean)), `${split}: line ends at y=${end}, mean ${mean} % is at ${toPixel(mean)}`).toBeLessThan(0.01);
    }
  });

  it('draws the recorded learning-rate schedule under the curves, on the same x axis', () => {
    const panels = p.marks('panel');
    const eta = panels[3];
    expect(eta.querySelectorAll('g[aria-label="line"] path')).toHaveLength(1);
    // Read both scales back from tick labels and check every vertex against the recorded η.
    const [x, y] = [axisScale(eta, 'x'), axisScale(eta, 'y')];
    const vertices = eta.querySelector('g[aria-label="line"] path')!.getAttribute('d')!.slice(1).split('L').map((v) => v.split(',').map(Number));
    const history = group.runs[0].result.history;
    expect(vertices).toHaveLength(history.length);
    history.forEach((h, i) => {
      expect(Math.abs(vertices[i][0] - x(h.update)), `update ${h.update}`).toBeLessThan(0.01);
      expect(Math.abs(vertices[i][1] - y(h.eta)), `η at ${h.update}`).toBeLessThan(0.01);
    });
    // The same x axis in every panel: the cost panel's tick at the last update sits where η's does.
    expect(axisScale(panels[0], 'x')(history[history.length - 1].update)).toBeCloseTo(x(history[history.length - 1].update), 2);
  });

  it('is a single standalone <svg> with ids prefixed by the chart', () => {
    expect(p.root.tagName).toBe('svg');
    expect(p.root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    const ids = Array.from(p.root.querySelectorAll('[id]')).map((e) => e.id);
    for (const id of ids) expect(id).toMatch(/^curves-x-\d+$/);
    expect(curvesChart(group, newDocument(), 'curves-x')).toBe(svg);
  });

  it('draws a flat line for a net stuck at chance (no degenerate axis)', () => {
    const stuck = study.sigma.groups.find((g) => g.net.hidden.length > 2 && !g.net.batchNorm)!;
    const q = parseSvg(curvesChart(stuck, newDocument()));
    const ticks = Array.from(q.marks('panel')[2].querySelectorAll('g[aria-label="y-axis tick label"] text')).map((t) => t.textContent);
    expect(ticks.length).toBeGreaterThan(1);
    for (const t of ticks) expect(Math.abs(Number(t) - 10), `tick ${t}`).toBeLessThan(1);
  });

  it('says when runs diverged', () => {
    const g = structuredClone(group);
    g.runs[0].result.diverged = true;
    expect(parseSvg(curvesChart(g, newDocument())).texts()).toContain('1 of 3 runs diverged: their curves stop at the last finite point.');
  });
});
