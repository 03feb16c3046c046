// The λ searches: the coarse search's validation accuracy against λ (log axis) with its best marked,
// and the fine search's trials per centre with the overall best marked.
import * as Plot from '@observablehq/plot';
import type { CoarseStageResult, FineStageResult, SearchTrial } from '../results.js';
import { lambda as formatLambda, plural } from '../format.js';
import { netLabel } from '../groups.js';
import { CATEGORY, HIGHLIGHT, NEUTRAL, SPLIT_COLOR } from '../palette.js';
import { CHART_WIDTH } from './curves.js';
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

export function coarseChart(result: CoarseStageResult, document: ReportDocument, idPrefix = 'coarse'): string {
  const lo = Number(`1e${result.exponentMin}`);
  const hi = Number(`1e${result.exponentMax}`);
  const finite = result.trials.filter((t) => !t.diverged);
  const diverged = result.trials.filter((t) => t.diverged);
  const best = result.best.map((t, i) => ({ ...t, rank: i + 1 }));
  const panel = plotPanel(document, {
    width: CHART_WIDTH,
    height: 340,
    marginLeft: 56,
    marginRight: 24,
    marginBottom: 40,
    x: { type: 'log', domain: [lo, hi], ticks: decades(lo, hi), tickFormat: lambdaTick, label: 'λ (L2 regularisation, log scale)', labelAnchor: 'center', labelArrow: 'none' },
    y: { label: 'validation accuracy (%)', grid: true, labelArrow: 'none', domain: yDomain(result.trials) },
    marks: [
      Plot.dot(finite, { x: 'lambda', y: val, r: 3, fill: SPLIT_COLOR.validation, fillOpacity: 0.8 }),
      Plot.dot(diverged, { x: 'lambda', y: val, r: 4, symbol: 'times', stroke: NEUTRAL }),
      Plot.dot(best, { x: 'lambda', y: val, r: 7, stroke: HIGHLIGHT, strokeWidth: 2 }),
      // Ranks alternate above and below their ring: the best λ are often close together.
      Plot.text(best.filter((t) => t.rank % 2 === 1), { x: 'lambda', y: val, text: (t: { rank: number }) => `#${t.rank}`, dy: -13, fill: HIGHLIGHT, fontWeight: 'bold' }),
      Plot.text(best.filter((t) => t.rank % 2 === 0), { x: 'lambda', y: val, text: (t: { rank: number }) => `#${t.rank}`, dy: 15, fill: HIGHLIGHT, fontWeight: 'bold' }),
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
      x: { type: 'log', domain: [lo - pad, hi + pad], ticks: 6, tickFormat: lambdaTick, label: last ? 'λ (log scale)' : null, labelAnchor: 'center', labelArrow: 'none' },
      y: { label: i === 0 ? 'validation accuracy (%)' : null, grid: true, labelArrow: 'none', domain: y, ticks: 4 },
      marks: [
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
