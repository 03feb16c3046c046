// Charts of a grid (any varied factor) and of a search (any drawn option):
//  - factorChart: test accuracy against the varied value, one dot per seed, a bar at the mean and a
//    line for ± std, coloured by a second factor, one row of panels per setting of the rest;
//  - overlayCurvesChart: the histories of several groups on one y-scale per metric (e.g. batch norm
//    and none on one chart), mean over seeds as a line, min–max over seeds as a band;
//  - scatterChart: validation accuracy against one drawn option (log axis for log-uniform draws),
//    the kept trials ringed.
import * as Plot from '@observablehq/plot';
import type { HistoryPoint } from '../results.js';
import type { Factor, FactorGroup, FactorValue } from '../factors.js';
import { pct } from '../format.js';
import { mean, std } from '../stats.js';
import { CATEGORY, HIGHLIGHT, INK, NEUTRAL, SPLIT_COLOR } from '../palette.js';
import { bandRows, CHART_WIDTH } from './curves.js';
import { frame, plotPanel, serializeSvg, type LegendItem, type ReportDocument } from './svg.js';

const short = (f: Factor, v: FactorValue) => f.show(v).replace(/^.* = /, '');

export interface FactorChartOptions {
  title: string;
  subtitle: string;
  chance?: number;
}

/** Test accuracy by `x`'s values, coloured by `color` (or one colour), one panel row per setting of `rows`. */
export function factorChart(
  groups: readonly (FactorGroup & { runs: { accuracy: { test: number } }[] })[],
  x: Factor,
  color: Factor | undefined,
  rows: readonly Factor[],
  document: ReportDocument,
  options: FactorChartOptions,
  idPrefix: string,
): string {
  const rowOf = (g: FactorGroup) => rows.map((f) => f.show(g.values[f.name])).join(', ') || ' ';
  const colorOf = (g: FactorGroup) => (color ? short(color, g.values[color.name]) : x.label);
  const colorDomain = color ? color.values.map((v) => short(color, v)) : [x.label];
  const colorRange = colorDomain.map((_, i) => CATEGORY[i % CATEGORY.length]);
  const xDomain = x.values.map((v) => short(x, v));
  const rowDomain = [...new Set(groups.map(rowOf))];
  const cells = groups.map((g) => {
    const xs = g.runs.map((r) => 100 * r.accuracy.test);
    const m = mean(xs);
    const sd = xs.length > 1 ? std(xs) : 0;
    return { x: short(x, g.values[x.name]), c: colorOf(g), row: rowOf(g), mean: m, lo: m - sd, hi: m + sd };
  });
  const dots = groups.flatMap((g) => g.runs.map((r, i) => ({ x: short(x, g.values[x.name]), c: colorOf(g), row: rowOf(g), i, accuracy: 100 * r.accuracy.test })));
  const seeds = Math.max(1, ...groups.map((g) => g.runs.length));
  // One facet column per value of x; within it, one band per colour.
  const marks: Plot.Markish[] = [
    Plot.barY(cells, { x: 'c', y: 'mean', fx: 'x', fy: 'row', fill: 'c', fillOpacity: 0.25 }),
    Plot.ruleX(cells, { x: 'c', y1: 'lo', y2: 'hi', fx: 'x', fy: 'row', stroke: INK, strokeWidth: 1.5 }),
  ];
  for (let i = 0; i < seeds; i++) {
    marks.push(Plot.dot(dots.filter((d) => d.i === i), { x: 'c', y: 'accuracy', fx: 'x', fy: 'row', fill: 'c', r: 2.5, dx: (i - (seeds - 1) / 2) * 4 }));
  }
  if (options.chance !== undefined) marks.push(Plot.ruleY([100 * options.chance], { stroke: NEUTRAL, strokeDasharray: '4,3' }));
  const top = Math.max(1, ...dots.map((d) => d.accuracy), ...cells.map((c) => c.hi));
  const panel = plotPanel(document, {
    width: CHART_WIDTH,
    height: 80 + 150 * rowDomain.length,
    marginLeft: 56,
    marginRight: rows.length ? 140 : 24,
    marginBottom: 40,
    x: { domain: colorDomain, label: null, padding: 0.2, axis: color ? 'bottom' : null },
    // The facet titles name the factor (`η_max = 1`): an axis label over them would collide.
    fx: { domain: xDomain, label: null, tickFormat: (v: string) => `${x.label} = ${v}` },
    // Rotated along the axis, clear of the first facet's title.
    y: { label: 'test accuracy (%)', labelAnchor: 'center', grid: true, labelArrow: 'none', domain: [0, top * 1.08] },
    fy: { domain: rowDomain, label: null },
    color: { domain: colorDomain, range: colorRange },
    marks,
  });
  const legend: LegendItem[] = colorDomain.map((c, i) => ({ label: color ? c : 'one dot per seed', color: colorRange[i], shape: 'dot' }));
  legend.push({ label: 'bar: mean, line: ± std', color: INK, shape: 'line' });
  if (options.chance !== undefined) legend.push({ label: `chance ${pct(options.chance)} %`, color: NEUTRAL, shape: 'dashed' });
  return serializeSvg(frame(document, { width: CHART_WIDTH, title: options.title, subtitle: options.subtitle, legend, panels: [panel] }), idPrefix);
}

const METRICS = ['cost', 'loss', 'accuracy'] as const;

/** Validation (solid) and training (dashed) histories of several groups on one y-scale per metric. */
export function overlayCurvesChart(
  groups: readonly { name: string; histories: HistoryPoint[][] }[],
  document: ReportDocument,
  options: { title: string; subtitle: string },
  idPrefix: string,
): string {
  const names = groups.map((g) => g.name);
  const range = names.map((_, i) => CATEGORY[i % CATEGORY.length]);
  const panels = METRICS.map((metric, i) => {
    const accuracy = metric === 'accuracy';
    const scale = accuracy ? 100 : 1;
    const rows = groups.flatMap((g) =>
      bandRows(g.histories, metric).map((r) => ({ ...r, group: g.name, mean: scale * r.mean, min: scale * r.min, max: scale * r.max })),
    );
    const val = rows.filter((r) => r.series === 'validation');
    const train = rows.filter((r) => r.series === 'training');
    const finite = rows.flatMap((r) => [r.min, r.max]).filter(Number.isFinite);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    return plotPanel(document, {
      width: CHART_WIDTH,
      height: 170,
      marginLeft: 56,
      marginRight: 24,
      marginTop: 22,
      marginBottom: i === METRICS.length - 1 ? 36 : 24,
      x: { label: i === METRICS.length - 1 ? 'update step' : null, labelAnchor: 'right', labelArrow: 'none' },
      y: { label: accuracy ? 'accuracy (%)' : metric, grid: true, labelArrow: 'none', domain: hi > lo ? [lo, hi] : [lo - 1, hi + 1], nice: true },
      color: { domain: names, range },
      marks: [
        Plot.areaY(val, { x: 'update', y1: 'min', y2: 'max', fill: 'group', fillOpacity: 0.15 }),
        Plot.lineY(val, { x: 'update', y: 'mean', stroke: 'group', strokeWidth: 1.75 }),
        Plot.lineY(train, { x: 'update', y: 'mean', stroke: 'group', strokeWidth: 1, strokeDasharray: '4,3' }),
      ],
    });
  });
  const legend: LegendItem[] = names.map((n, i) => ({ label: n, color: range[i], shape: 'line' }));
  legend.push({ label: 'validation (solid, band: min–max over seeds), training (dashed)', color: NEUTRAL, shape: 'dashed' });
  return serializeSvg(frame(document, { width: CHART_WIDTH, title: options.title, subtitle: options.subtitle, legend, panels }), idPrefix);
}

export interface ScatterPoint {
  x: number;
  validation: number;
  diverged: boolean;
  kept: boolean;
}

/** Validation accuracy against one drawn option; kept trials ringed, diverged ones crossed. */
export function scatterChart(
  points: readonly ScatterPoint[],
  document: ReportDocument,
  options: { title: string; subtitle: string; xLabel: string; log: boolean; domain: [number, number] },
  idPrefix: string,
): string {
  const v = points.map((p) => 100 * p.validation);
  const [lo, hi] = [Math.min(...v), Math.max(...v)];
  const pad = Math.max((hi - lo) * 0.08, 0.2);
  const y = (p: ScatterPoint) => 100 * p.validation;
  const panel = plotPanel(document, {
    width: CHART_WIDTH,
    height: 320,
    marginLeft: 56,
    marginRight: 24,
    marginBottom: 40,
    x: { type: options.log ? 'log' : 'linear', domain: options.domain, label: options.xLabel, labelAnchor: 'center', labelArrow: 'none' },
    y: { label: 'validation accuracy (%)', grid: true, labelArrow: 'none', domain: [lo - pad, hi + pad] },
    marks: [
      Plot.dot(points.filter((p) => !p.diverged), { x: 'x', y, r: 3, fill: SPLIT_COLOR.validation, fillOpacity: 0.8 }),
      Plot.dot(points.filter((p) => p.diverged), { x: 'x', y, r: 4, symbol: 'times', stroke: NEUTRAL }),
      Plot.dot(points.filter((p) => p.kept), { x: 'x', y, r: 7, stroke: HIGHLIGHT, strokeWidth: 2 }),
    ],
  });
  const legend: LegendItem[] = [
    { label: 'trial', color: SPLIT_COLOR.validation, shape: 'dot' },
    { label: 'kept', color: HIGHLIGHT, shape: 'ring' },
  ];
  if (points.some((p) => p.diverged)) legend.push({ label: 'diverged', color: NEUTRAL, shape: 'cross' });
  return serializeSvg(frame(document, { width: CHART_WIDTH, title: options.title, subtitle: options.subtitle, legend, panels: [panel] }), idPrefix);
}
