// Cost, loss and accuracy over update steps for one trained configuration (a group of seeds):
// training vs validation, the mean over seeds as a line and the min–max over seeds as a band; under
// them, on the same x axis, the learning rate η the schedule set at each recorded step.
import * as Plot from '@observablehq/plot';
import type { CurveGroup, HistoryPoint } from '../results.js';
import { lambda as formatLambda, plural } from '../format.js';
import { initLabel, netLabel } from '../groups.js';
import { INK, NEUTRAL, SPLIT_COLOR } from '../palette.js';
import { frame, plotPanel, serializeSvg, type ReportDocument } from './svg.js';

export const CHART_WIDTH = 680;

type Metric = 'cost' | 'loss' | 'accuracy';
const METRICS: Metric[] = ['cost', 'loss', 'accuracy'];
const SERIES = { train: 'training', validation: 'validation' } as const;

export interface BandRow {
  update: number;
  series: 'training' | 'validation';
  mean: number;
  min: number;
  max: number;
  /** Runs with a finite value at this update. */
  n: number;
}

/** Mean, min and max over the runs at each recorded update step (non-finite values left out). */
export function bandRows(histories: readonly HistoryPoint[][], metric: Metric): BandRow[] {
  const byUpdate = new Map<number, { train: number[]; validation: number[] }>();
  for (const history of histories) {
    for (const p of history) {
      let slot = byUpdate.get(p.update);
      if (!slot) byUpdate.set(p.update, (slot = { train: [], validation: [] }));
      if (Number.isFinite(p[metric].train)) slot.train.push(p[metric].train);
      if (Number.isFinite(p[metric].validation)) slot.validation.push(p[metric].validation);
    }
  }
  const rows: BandRow[] = [];
  for (const split of ['train', 'validation'] as const) {
    for (const update of [...byUpdate.keys()].sort((a, b) => a - b)) {
      const xs = byUpdate.get(update)![split];
      if (xs.length === 0) continue;
      rows.push({
        update,
        series: SERIES[split],
        mean: xs.reduce((s, x) => s + x, 0) / xs.length,
        min: Math.min(...xs),
        max: Math.max(...xs),
        n: xs.length,
      });
    }
  }
  return rows;
}

/** The learning rate at each recorded update step: the schedule, shared by every seed (the first run that recorded a step gives it). */
export function etaRows(histories: readonly HistoryPoint[][]): { update: number; eta: number }[] {
  const byUpdate = new Map<number, number>();
  for (const history of histories) for (const p of history) if (!byUpdate.has(p.update)) byUpdate.set(p.update, p.eta);
  return [...byUpdate].sort((a, b) => a[0] - b[0]).map(([update, eta]) => ({ update, eta }));
}

/** The band's extent, widened when flat (a net stuck at chance draws a constant line). */
function yDomain(rows: readonly BandRow[]): [number, number] {
  if (rows.length === 0) return [0, 1];
  const lo = Math.min(...rows.map((r) => r.min));
  const hi = Math.max(...rows.map((r) => r.max));
  if (!(hi - lo > 1e-9 * Math.max(1, Math.abs(hi)))) {
    const pad = Math.max(Math.abs(hi) * 0.05, 1e-3);
    return [lo - pad, hi + pad];
  }
  return [lo, hi];
}

export function curvesTitle(group: CurveGroup): string {
  return `Cost, loss, accuracy and learning rate: ${netLabel(group.net)}, ${initLabel(group.net)}`;
}

/** One chart, four panels (cost, loss, accuracy, then the learning rate η), for one group of seeds. */
export function curvesChart(group: CurveGroup, document: ReportDocument, idPrefix = 'curves'): string {
  const histories = group.runs.map((r) => r.result.history);
  const seeds = group.runs.length;
  const color = { domain: [SERIES.train, SERIES.validation], range: [SPLIT_COLOR.train, SPLIT_COLOR.validation] };
  const etas = etaRows(histories);
  // One x axis for every panel: the steps any run recorded.
  const steps = etas.map((r) => r.update);
  const x = { domain: steps.length > 0 ? [Math.min(...steps), Math.max(...steps)] : [0, 1], labelArrow: 'none' as const };
  const panels = METRICS.map((metric) => {
    const accuracy = metric === 'accuracy';
    // Accuracies are drawn in percent, like every table of the report.
    const rows = bandRows(histories, metric).map((r) => (accuracy ? { ...r, mean: 100 * r.mean, min: 100 * r.min, max: 100 * r.max } : r));
    return plotPanel(document, {
      width: CHART_WIDTH,
      height: 170,
      marginLeft: 56,
      marginRight: 24,
      marginTop: 22,
      marginBottom: 24,
      x: { ...x, label: null },
      y: { label: accuracy ? 'accuracy (%)' : metric, grid: true, labelArrow: 'none', domain: yDomain(rows), nice: true },
      color,
      marks: [
        Plot.areaY(rows, { x: 'update', y1: 'min', y2: 'max', fill: 'series', fillOpacity: 0.18 }),
        Plot.lineY(rows, { x: 'update', y: 'mean', stroke: 'series', strokeWidth: 1.75 }),
      ],
    });
  });
  panels.push(
    plotPanel(document, {
      width: CHART_WIDTH,
      height: 110,
      marginLeft: 56,
      marginRight: 24,
      marginTop: 22,
      marginBottom: 36,
      x: { ...x, label: 'update step', labelAnchor: 'right' },
      y: { label: 'learning rate η', grid: true, labelArrow: 'none', ticks: 3, nice: true, zero: true },
      marks: [Plot.lineY(etas, { x: 'update', y: 'eta', stroke: INK, strokeWidth: 1.25 })],
    }),
  );
  const diverged = group.runs.filter((r) => r.result.diverged).length;
  return serializeSvg(
    frame(document, {
      width: CHART_WIDTH,
      title: curvesTitle(group),
      subtitle: `λ = ${formatLambda(group.lambda)}; ${plural(seeds, 'seed')} (${group.runs.map((r) => r.seed).join(', ')})`,
      legend: [
        { label: 'training (mean over seeds)', color: SPLIT_COLOR.train, shape: 'line' },
        { label: 'validation (mean over seeds)', color: SPLIT_COLOR.validation, shape: 'line' },
        { label: 'min–max over seeds', color: NEUTRAL, shape: 'band' },
        { label: 'learning rate η', color: INK, shape: 'line' },
      ],
      panels,
      note: diverged > 0 ? `${diverged} of ${seeds} runs diverged: their curves stop at the last finite point.` : undefined,
    }),
    idPrefix,
  );
}
