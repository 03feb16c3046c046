// The λ searches: the coarse search's validation accuracy against λ (log axis) with its best marked,
// and the fine search's trials per centre with the overall best marked.
import * as Plot from '@observablehq/plot';
import type { CoarseStageResult, FineStageResult, SearchTrial } from '../results.js';
import { lambda as formatLambda, plural } from '../format.js';
import { netLabel } from '../groups.js';
import { CATEGORY, HIGHLIGHT, NEUTRAL, SPLIT_COLOR } from '../palette.js';
import { CHART_WIDTH } from './curves.js';
import { placeLabels } from './labels.js';
import { frame, plotPanel, serializeSvg, type LegendItem, type ReportDocument } from './svg.js';

const lambdaTick = (d: number) => d.toExponential(6).replace(/\.?0+e/, 'e');
const val = (t: SearchTrial) => 100 * t.accuracy.validation;

function yDomain(trials: readonly SearchTrial[]): [number, number] {
  const v = trials.map(val);
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  const pad = Math.max((hi - lo) * 0.08, 0.2);
  return [lo - pad, hi + pad];
}

function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(Number(`1e${e}`));
  return out;
}

/**
 * About `count` round ticks inside [lo, hi] for a log axis: the decades when the window spans one
 * (with 2× and 5× between them when it spans few), else evenly spaced round values (within a decade a
 * log axis is nearly linear). Plot's own log ticks blank the labels of most values in a narrow window.
 */
export function logTicks(lo: number, hi: number, count: number): number[] {
  const inside = (v: number) => v >= lo && v <= hi;
  if (hi / lo >= 10) {
    const d = decades(lo, hi);
    const ticks = d.filter(inside);
    return ticks.length >= count / 2 ? ticks : d.flatMap((v) => [v, 2 * v, 5 * v]).filter(inside);
  }
  // Tolerances of 1e-9 absorb rounding: (8.78e-2 − 8.72e-2) / 6 is 1.0000000000000009e-4.
  const raw = ((hi - lo) / count) * (1 - 1e-9);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = p * ([1, 2, 5].find((m) => m * p >= raw) ?? 10);
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

const RING = 7;

export function coarseChart(result: CoarseStageResult, document: ReportDocument, idPrefix = 'coarse'): string {
  const lo = Number(`1e${result.exponentMin}`);
  const hi = Number(`1e${result.exponentMax}`);
  const finite = result.trials.filter((t) => !t.diverged);
  const diverged = result.trials.filter((t) => t.diverged);
  const best = result.best.map((t, i) => ({ ...t, rank: `#${i + 1}` }));
  // The panel's geometry, also used to place the rank labels (the best λ are often close together).
  const [width, height, left, right, top, bottom] = [CHART_WIDTH, 340, 56, 24, 20, 40];
  const y = yDomain(result.trials);
  const px = (l: number) => left + ((Math.log(l) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (width - left - right);
  const py = (v: number) => height - bottom - ((v - y[0]) / (y[1] - y[0])) * (height - top - bottom);
  const offsets = placeLabels(
    best.map((t) => ({ x: px(t.lambda), y: py(val(t)), text: t.rank })),
    RING,
    { left, right: width - 4, top: 2, bottom: height - bottom },
    result.trials.map((t) => ({ left: px(t.lambda) - 3, right: px(t.lambda) + 3, top: py(val(t)) - 3, bottom: py(val(t)) + 3 })),
  );
  const panel = plotPanel(document, {
    width,
    height,
    marginLeft: left,
    marginRight: right,
    marginTop: top,
    marginBottom: bottom,
    x: { type: 'log', domain: [lo, hi], ticks: decades(lo, hi), tickFormat: lambdaTick, label: 'λ (L2 regularisation, log scale)', labelAnchor: 'center', labelArrow: 'none' },
    y: { label: 'validation accuracy (%)', grid: true, labelArrow: 'none', domain: y },
    marks: [
      Plot.dot(finite, { x: 'lambda', y: val, r: 3, fill: SPLIT_COLOR.validation, fillOpacity: 0.8 }),
      Plot.dot(diverged, { x: 'lambda', y: val, r: 4, symbol: 'times', stroke: NEUTRAL }),
      Plot.dot(best, { x: 'lambda', y: val, r: RING, stroke: HIGHLIGHT, strokeWidth: 2 }),
      ...best.map((t, i) => Plot.text([t], { x: 'lambda', y: val, text: 'rank', ...offsets[i], fill: HIGHLIGHT, fontWeight: 'bold', ariaDescription: 'rank' })),
    ],
  });
  const legend: LegendItem[] = [
    { label: 'trial', color: SPLIT_COLOR.validation, shape: 'dot' },
    { label: `best ${best.length} by validation accuracy`, color: HIGHLIGHT, shape: 'ring' },
  ];
  if (diverged.length > 0) legend.push({ label: 'diverged', color: NEUTRAL, shape: 'cross' });
  return serializeSvg(
    frame(document, {
      width: CHART_WIDTH,
      title: 'Coarse search: validation accuracy against λ',
      subtitle: `${result.trials.length} trials, λ = 10^u with u uniform in [${result.exponentMin}, ${result.exponentMax}]; ${netLabel(result.net)}, ${plural(result.cycles, 'cycle')}`,
      legend,
      panels: [panel],
    }),
    idPrefix,
  );
}

/** One panel per centre (the windows are narrow and may lie decades apart), sharing the y axis. */
export function fineChart(result: FineStageResult, document: ReportDocument, idPrefix = 'fine'): string {
  const centres = result.centres.map((c, i) => ({ ...c, label: `centre ${formatLambda(c.centre)}`, color: CATEGORY[i % CATEGORY.length] }));
  const all = centres.flatMap((c) => c.trials);
  const y = yDomain(all);
  const best = result.best;
  const panels = centres.map((c, i) => {
    const xs = c.trials.map((t) => t.lambda).concat(c.centre);
    const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
    const pad = Math.max((hi - lo) * 0.06, lo * 0.01);
    const isBest = c.trials.some((t) => t.hash === best.hash && t.lambda === best.lambda);
    const finite = c.trials.filter((t) => !t.diverged);
    const diverged = c.trials.filter((t) => t.diverged);
    const last = i === centres.length - 1;
    return plotPanel(document, {
      width: CHART_WIDTH,
      height: last ? 170 : 140,
      marginLeft: 56,
      marginRight: 24,
      marginTop: 18,
      marginBottom: last ? 44 : 26,
      // Every panel's axis gets its labels: Plot's log tick format would blank most of them in a
      // narrow window, so the ticks are chosen here and labelled through the text channel.
      x: { type: 'log', domain: [lo - pad, hi + pad], axis: null },
      y: { label: i === 0 ? 'validation accuracy (%)' : null, grid: true, labelArrow: 'none', domain: y, ticks: 4 },
      marks: [
        Plot.axisX(logTicks(lo - pad, hi + pad, 8), { text: lambdaTick, label: last ? 'λ (log scale)' : null, labelAnchor: 'center', labelArrow: 'none' }),
        Plot.ruleX([c.centre], { stroke: c.color, strokeDasharray: '4,3', ariaDescription: 'centre' }),
        Plot.dot(finite, { x: 'lambda', y: val, r: 3, fill: c.color, ariaDescription: 'trial' }),
        Plot.dot(diverged, { x: 'lambda', y: val, r: 4, symbol: 'times', stroke: NEUTRAL, ariaDescription: 'diverged' }),
        ...(isBest
          ? [
              Plot.dot([best], { x: 'lambda', y: val, r: 7, stroke: HIGHLIGHT, strokeWidth: 2, ariaDescription: 'best' }),
              Plot.text([best], { x: 'lambda', y: val, text: () => 'best', dy: -13, fill: HIGHLIGHT, fontWeight: 'bold', ariaDescription: 'best label' }),
            ]
          : []),
        Plot.text([c.label], { frameAnchor: 'top-right', textAnchor: 'end', dy: -12, fill: c.color, fontWeight: 'bold', ariaDescription: 'centre label' }),
      ],
    });
  });
  const legend: LegendItem[] = centres.map((c) => ({ label: c.label, color: c.color, shape: 'dot' }));
  legend.push({ label: 'centre (a coarse best λ)', color: NEUTRAL, shape: 'dashed' });
  legend.push({ label: `best overall: λ = ${formatLambda(best.lambda)}`, color: HIGHLIGHT, shape: 'ring' });
  if (all.some((t) => t.diverged)) legend.push({ label: 'diverged', color: NEUTRAL, shape: 'cross' });
  return serializeSvg(
    frame(document, {
      width: CHART_WIDTH,
      title: 'Fine search: validation accuracy around each coarse best λ',
      subtitle: `${all.length} trials, uniform within ±${formatLambda(result.halfWidth)} of each centre (floor ${formatLambda(result.floor)}); ${netLabel(result.net)}, ${plural(result.cycles, 'cycle')}`,
      legend,
      panels,
    }),
    idPrefix,
  );
}
