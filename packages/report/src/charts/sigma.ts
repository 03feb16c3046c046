// σ study: test accuracy per initial σ, depth and batch norm: one dot per seed, a bar at the mean,
// a line for ± std, and chance level for reference.
import * as Plot from '@observablehq/plot';
import type { SigmaGroup, SigmaStageResult } from '../results.js';
import { lambda as formatLambda, pct, plural, sigma as formatSigma } from '../format.js';
import { bnLabel, depthLabel } from '../groups.js';
import { mean, std } from '../stats.js';
import { BN_COLOR, INK, NEUTRAL } from '../palette.js';
import { CHART_WIDTH } from './curves.js';
import { frame, plotPanel, serializeSvg, type LegendItem, type ReportDocument } from './svg.js';

interface Cell {
  sigma: string;
  depth: string;
  bn: string;
  mean: number;
  lo: number;
  hi: number;
}

interface Dot {
  sigma: string;
  depth: string;
  bn: string;
  seedIndex: number;
  accuracy: number;
}

export function sigmaChart(result: SigmaStageResult, document: ReportDocument, options: { chance?: number } = {}, idPrefix = 'sigma'): string {
  const groups: SigmaGroup[] = result.groups;
  const sigmas = [...new Set(groups.map((g) => g.sigma))].sort((a, b) => b - a).map(formatSigma);
  const depths = [...new Set(groups.map((g) => depthLabel(g.net)))];
  const cells: Cell[] = [];
  const dots: Dot[] = [];
  for (const g of groups) {
    const key = { sigma: formatSigma(g.sigma), depth: depthLabel(g.net), bn: bnLabel(g.net) };
    const xs = g.runs.map((r) => 100 * r.result.accuracy.test);
    const sd = xs.length > 1 ? std(xs) : 0;
    cells.push({ ...key, mean: mean(xs), lo: mean(xs) - sd, hi: mean(xs) + sd });
    g.runs.forEach((r, i) => dots.push({ ...key, seedIndex: i, accuracy: 100 * r.result.accuracy.test }));
  }
  const seeds = Math.max(...groups.map((g) => g.runs.length));
  const color = { domain: ['no BN', 'BN'], range: [BN_COLOR.none, BN_COLOR.bn] };
  const marks: Plot.Markish[] = [
    Plot.barY(cells, { x: 'bn', y: 'mean', fx: 'sigma', fy: 'depth', fill: 'bn', fillOpacity: 0.25 }),
    Plot.ruleX(cells, { x: 'bn', y1: 'lo', y2: 'hi', fx: 'sigma', fy: 'depth', stroke: INK, strokeWidth: 1.5 }),
  ];
  // One dot mark per seed index, each nudged sideways, so that equal accuracies stay visible.
  for (let i = 0; i < seeds; i++) {
    marks.push(
      Plot.dot(dots.filter((d) => d.seedIndex === i), { x: 'bn', y: 'accuracy', fx: 'sigma', fy: 'depth', fill: 'bn', r: 2.5, dx: (i - (seeds - 1) / 2) * 5 }),
    );
  }
  if (options.chance !== undefined) marks.push(Plot.ruleY([100 * options.chance], { stroke: NEUTRAL, strokeDasharray: '4,3' }));
  const panel = plotPanel(document, {
    width: CHART_WIDTH,
    height: 90 + 150 * depths.length,
    marginLeft: 56,
    marginRight: 64,
    marginBottom: 30,
    x: { domain: ['no BN', 'BN'], label: null, padding: 0.3 },
    y: { label: 'test accuracy (%)', grid: true, labelArrow: 'none', domain: [0, Math.max(...dots.map((d) => d.accuracy)) * 1.08] },
    fx: { domain: sigmas, label: 'initial σ', tickFormat: (s: string) => `σ = ${s}` },
    fy: { domain: depths, label: null },
    color,
    marks,
  });
  const legend: LegendItem[] = [
    { label: 'no batch norm (one dot per seed)', color: BN_COLOR.none, shape: 'dot' },
    { label: 'batch norm', color: BN_COLOR.bn, shape: 'dot' },
    { label: 'bar: mean, line: ± std', color: INK, shape: 'line' },
  ];
  if (options.chance !== undefined) legend.push({ label: `chance ${pct(options.chance)} %`, color: NEUTRAL, shape: 'dashed' });
  return serializeSvg(
    frame(document, {
      width: CHART_WIDTH,
      title: 'Sensitivity to initialisation: test accuracy by σ, depth and batch norm',
      subtitle: `Weights drawn from N(0, σ²); ${plural(seeds, 'seed')} per configuration, λ = ${groups[0] ? formatLambda(groups[0].lambda) : '—'}`,
      legend,
      panels: [panel],
    }),
    idPrefix,
  );
}
