// Gradient check: the relative error of every parameter's analytic gradient against the numerical
// one, per layer, for each checked net (with and without batch norm), against the threshold.
import * as Plot from '@observablehq/plot';
import type { GradcheckEntry, GradcheckStageResult } from '../results.js';
import { sci } from '../format.js';
import { bnLabel, depthLabel } from '../groups.js';
import { PARAMETER_COLOR, THRESHOLD } from '../palette.js';
import { CHART_WIDTH } from './curves.js';
import { frame, plotPanel, serializeSvg, type LegendItem, type ReportDocument } from './svg.js';

const PARAMETERS: GradcheckEntry['parameter'][] = ['W', 'b', 'gamma', 'beta'];
const PARAMETER_NAME = { W: 'W', b: 'b', gamma: 'γ', beta: 'β' } as const;
// Side by side within a layer, so parameters of the same layer do not hide each other.
const OFFSET = { W: -7.5, b: -2.5, gamma: 2.5, beta: 7.5 } as const;

interface Row {
  depth: string;
  bn: string;
  layer: number;
  parameter: GradcheckEntry['parameter'];
  /** The error as drawn: exact zeros are drawn at `floor` (a log axis has no 0). */
  y: number;
  zero: boolean;
}

/** `bnNames`: each net's batch-norm label when it is not just BN / no BN ("BN after ReLU"). */
export function gradcheckChart(result: GradcheckStageResult, document: ReportDocument, idPrefix = 'gradcheck', bnNames: readonly string[] = []): string {
  const positive = result.nets.flatMap((n) => n.checks.map((c) => c.relativeError)).filter((e) => e > 0);
  const low = Math.min(result.threshold, ...positive);
  const high = Math.max(result.threshold, ...positive);
  const floor = 10 ** (Math.floor(Math.log10(low)) - 1);
  const rows: Row[] = result.nets.flatMap((net, i) =>
    net.checks.map((c) => ({
      depth: depthLabel(net),
      bn: bnNames[i] ?? bnLabel(net),
      layer: c.layer,
      parameter: c.parameter,
      y: c.relativeError > 0 ? c.relativeError : floor,
      zero: !(c.relativeError > 0),
    })),
  );
  const layers = Math.max(...rows.map((r) => r.layer));
  const depths = [...new Set(rows.map((r) => r.depth))];
  const present = PARAMETERS.filter((p) => rows.some((r) => r.parameter === p));
  const marks: Plot.Markish[] = [
    Plot.ruleY([result.threshold], { stroke: THRESHOLD, strokeDasharray: '4,3' }),
    ...present.map((p) =>
      Plot.dot(
        rows.filter((r) => r.parameter === p),
        {
          x: 'layer',
          y: 'y',
          fx: 'bn',
          fy: 'depth',
          dx: OFFSET[p],
          r: 3,
          fill: (r: Row) => (r.zero ? 'white' : PARAMETER_COLOR[p]),
          stroke: PARAMETER_COLOR[p],
          title: (r: Row) => `${PARAMETER_NAME[p]}, layer ${r.layer}: ${r.zero ? '0' : sci(r.y)}`,
        },
      ),
    ),
  ];
  const panel = plotPanel(document, {
    width: CHART_WIDTH,
    height: 110 + 130 * depths.length,
    marginLeft: 60,
    marginRight: 56,
    marginBottom: 36,
    x: { type: 'point', domain: Array.from({ length: layers }, (_, i) => i + 1), label: 'layer', labelAnchor: 'center', labelArrow: 'none', padding: 0.5 },
    y: { type: 'log', domain: [floor / 2, high * 5], label: 'relative error', grid: true, labelArrow: 'none', tickFormat: (d: number) => (Number.isInteger(Math.log10(d)) ? d.toExponential() : '') },
    fx: { domain: ['no BN', 'BN'].filter((b) => rows.some((r) => r.bn === b)), label: null },
    fy: { domain: depths, label: null },
    color: { type: 'identity' },
    marks,
  });
  const legend: LegendItem[] = present.map((p) => ({ label: PARAMETER_NAME[p], color: PARAMETER_COLOR[p], shape: 'dot' }));
  legend.push({ label: `threshold ${sci(result.threshold)}`, color: THRESHOLD, shape: 'dashed' });
  const zeros = rows.filter((r) => r.zero).length;
  const failed = result.nets.flatMap((n) => n.checks).filter((c) => c.relativeError > result.threshold).length;
  return serializeSvg(
    frame(document, {
      width: CHART_WIDTH,
      title: 'Gradient check: analytic vs numerical gradients',
      subtitle: `‖g_a − g_n‖ / (‖g_a‖ + ‖g_n‖) per parameter and layer; h = ${sci(result.h)}, ${result.dims} dims, ${result.samples} samples; ${failed === 0 ? 'all below the threshold' : `${failed} above the threshold`}`,
      legend,
      panels: [panel],
      note: zeros > 0 ? `Hollow: an error of exactly 0 (${zeros}), drawn at ${sci(floor)}.` : undefined,
    }),
    idPrefix,
  );
}
