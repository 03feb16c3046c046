// Final evaluation: every run's training, validation and test accuracy (dots), with the mean ± std
// over runs, per net.
import * as Plot from '@observablehq/plot';
import type { FinalStageResult } from '../results.js';
import { lambda as formatLambda, plural } from '../format.js';
import { SPLITS, type SplitName } from '../groups.js';
import { INK, SPLIT_COLOR, SPLIT_LABEL } from '../palette.js';
import { CHART_WIDTH } from './curves.js';
import { frame, plotPanel, serializeSvg, type ReportDocument } from './svg.js';

interface Dot {
  net: string;
  split: SplitName;
  x: number;
  accuracy: number;
}

interface Spread {
  net: string;
  x: number;
  mean: number;
  lo: number;
  hi: number;
}

export function finalSpreadChart(result: FinalStageResult, document: ReportDocument, idPrefix = 'final'): string {
  const dots: Dot[] = [];
  const spreads: Spread[] = [];
  for (const g of result.groups) {
    SPLITS.forEach((split, s) => {
      const n = g.runs.length;
      // A fixed spread across the column (not random), so the runs do not hide each other.
      g.runs.forEach((r, i) => dots.push({ net: g.name, split, x: s - 0.3 + (n === 1 ? 0.2 : (0.4 * i) / (n - 1)), accuracy: 100 * r.accuracy[split] }));
      const sd = g.runs.length > 1 && Number.isFinite(g.std[split]) ? g.std[split] : 0;
      const m = g.mean[split];
      spreads.push({ net: g.name, x: s + 0.25, mean: 100 * m, lo: 100 * (m - sd), hi: 100 * (m + sd) });
    });
  }
  const panel = plotPanel(document, {
    width: CHART_WIDTH,
    height: 360,
    marginLeft: 56,
    marginRight: 16,
    marginBottom: 30,
    x: { domain: [-0.5, SPLITS.length - 0.5], ticks: SPLITS.map((_, i) => i), tickFormat: (i: number) => SPLIT_LABEL[SPLITS[i]], label: null },
    // The ± std bars may reach past the runs themselves: the axis covers both.
    y: {
      label: 'accuracy (%)',
      grid: true,
      labelArrow: 'none',
      nice: true,
      domain: [Math.min(...dots.map((d) => d.accuracy), ...spreads.map((s) => s.lo)), Math.max(...dots.map((d) => d.accuracy), ...spreads.map((s) => s.hi))],
    },
    fx: { domain: result.groups.map((g) => g.name), label: null },
    color: { domain: SPLITS.map((s) => SPLIT_LABEL[s]), range: SPLITS.map((s) => SPLIT_COLOR[s]) },
    marks: [
      Plot.dot(dots, { x: 'x', y: 'accuracy', fx: 'net', fill: (d: Dot) => SPLIT_LABEL[d.split], r: 2.5, fillOpacity: 0.75 }),
      Plot.ruleX(spreads, { x: 'x', y1: 'lo', y2: 'hi', fx: 'net', stroke: INK, strokeWidth: 1.5 }),
      Plot.ruleY(spreads, { y: 'mean', x1: (d: Spread) => d.x - 0.07, x2: (d: Spread) => d.x + 0.07, fx: 'net', stroke: INK, strokeWidth: 2 }),
    ],
  });
  const runs = result.groups.map((g) => g.runs.length);
  return serializeSvg(
    frame(document, {
      width: CHART_WIDTH,
      title: `Final evaluation: the spread of ${runs.every((n) => n === runs[0]) ? runs[0] : runs.join('/')} runs per net`,
      subtitle: `λ = ${formatLambda(result.lambda)}, ${plural(result.cycles, 'cycle')}; one dot per run (seed), bar: mean ± std over runs`,
      legend: [
        ...SPLITS.map((s) => ({ label: SPLIT_LABEL[s], color: SPLIT_COLOR[s], shape: 'dot' as const })),
        { label: 'mean ± std', color: INK, shape: 'line' },
      ],
      panels: [panel],
    }),
    idPrefix,
  );
}
