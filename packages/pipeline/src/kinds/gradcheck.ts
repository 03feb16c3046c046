// gradcheck (built-in kind): the engine's gradient check (float64, centred differences, training-mode
// cost) of every listed net on the real prepared data: the first `dims` dimensions of the first
// `samples` training images. Runs in-process (it is small). A relative error above the threshold
// fails the stage (no result written).
import { engineIdentity, gradcheck as engineGradcheck, type BnPlacement } from '@bnlab/engine';
import { chart, gradcheckChart, paragraph, sci, uniqueSlugs, type DataStageResult, type GradcheckStageResult } from '@bnlab/report';
import { BnlabError } from '../errors.js';
import { formatValue, valueLabel } from '../config/options.js';
import type { PreparedDataset } from '../data/index.js';
import type { Net } from '../config/types.js';
import { stageHeader, upstreamResult, type StageEnv } from '../stages/context.js';
import { preparedFor } from '../stages/data.js';
import { BATCH_NORM_LIST_SCHEMA, NET_LIST_SCHEMA, SEED_SCHEMA } from './common.js';
import type { Kind } from './kind.js';

/** The gradient check computes in float64 with the reference kernel, whatever kernel trials use. */
export const GRADCHECK_KERNEL = 'ts-f64';

/** A checked net: batch norm after the ReLU is checked as a net of its own. */
export type CheckedNet = Net & { bnPlacement?: 'after' };

export interface GradcheckSettings {
  nets: CheckedNet[];
  threshold: number;
  h: number;
  dims: number;
  samples: number;
  lambda: number;
  /** ε of batch norm (defaults.training.eps). */
  eps: number;
  seed: number;
}

export function runGradcheck(env: StageEnv, stage: string, s: GradcheckSettings, data: PreparedDataset): { result: GradcheckStageResult; table: string[] } {
  if (s.dims > data.d) throw new BnlabError(`${stage}: dims ${s.dims} > the data's ${data.d} dimensions`);
  if (s.samples > data.train.n) throw new BnlabError(`${stage}: samples ${s.samples} > the ${data.train.n} training images`);
  // The first `dims` dimensions of the first `samples` training rows (rows are contiguous, d wide).
  const x = new Float64Array(s.samples * s.dims);
  for (let i = 0; i < s.samples; i++) for (let j = 0; j < s.dims; j++) x[i * s.dims + j] = data.train.x[i * data.d + j];
  const y = data.train.y.slice(0, s.samples);

  const nets = s.nets.map((net) => {
    const r = engineGradcheck({
      x, y, n: s.samples, d: s.dims, K: data.K,
      hidden: [...net.hidden], batchNorm: net.batchNorm, bnPlacement: net.bnPlacement ?? 'before', lambda: s.lambda, eps: s.eps, h: s.h, threshold: s.threshold, seed: s.seed,
    });
    const placement = net.bnPlacement ? { bnPlacement: net.bnPlacement } : {};
    return { name: checkedName(net), hidden: [...net.hidden], batchNorm: net.batchNorm, ...placement, passed: r.passed, checks: r.checks };
  });
  const result: GradcheckStageResult = {
    ...stageHeader(env, stage, GRADCHECK_KERNEL, engineIdentity(GRADCHECK_KERNEL)),
    kind: 'gradcheck',
    threshold: s.threshold,
    h: s.h,
    dims: s.dims,
    samples: s.samples,
    lambda: s.lambda,
    eps: s.eps,
    passed: nets.every((n) => n.passed),
    nets: nets.map(({ name: _name, ...rest }) => rest),
  };

  const table = [`gradient check: ${s.samples} images × ${s.dims} dims, λ = ${s.lambda}, ε = ${s.eps}, h = ${s.h}, threshold ${s.threshold}`];
  for (const n of nets) {
    table.push(`  ${n.name} [${n.hidden.join(', ')}]: ${n.passed ? 'passed' : 'FAILED'}`);
    for (const c of n.checks) {
      const over = c.relativeError > s.threshold ? `  > ${s.threshold}` : '';
      table.push(`    ${c.parameter.padEnd(5)} layer ${String(c.layer).padStart(2)}  ${c.relativeError.toExponential(3)}${over}`);
    }
  }
  return { result, table };
}

const PARAMETER_NAME = { W: 'W', b: 'b', gamma: 'γ', beta: 'β' } as const;

/** "no BN", "BN", or "BN after ReLU" for a net checked with batch norm after the ReLU (labels from the option list). */
function bnName(net: CheckedNet): string {
  return net.bnPlacement ? valueLabel('bnPlacement', net.bnPlacement) : formatValue('batchNorm', net.batchNorm);
}

function checkedName(net: CheckedNet): string {
  return `${net.name}, ${bnName(net)}`;
}

export function gradcheckSentence(g: GradcheckStageResult, names: string[]): string {
  const checks = g.nets.flatMap((n, i) => n.checks.map((c) => ({ ...c, net: names[i] ?? `[${n.hidden.join(', ')}]` })));
  if (checks.length === 0) return 'No gradient checks were run.';
  const failed = checks.filter((c) => !(c.relativeError <= g.threshold));
  const worst = checks.reduce((w, c) => (c.relativeError > w.relativeError ? c : w), checks[0]);
  const where = (c: (typeof checks)[number]) => `${PARAMETER_NAME[c.parameter]}, layer ${c.layer} of the ${c.net} net`;
  if (failed.length === 0) {
    return `All ${checks.length} gradient checks of ${g.nets.length} nets are below the threshold ${sci(g.threshold)}: the largest relative error is ${sci(worst.relativeError)} (${where(worst)}).`;
  }
  return `${failed.length} of ${checks.length} gradient checks exceed the threshold ${sci(g.threshold)}: ${failed.map((c) => `${where(c)}: ${sci(c.relativeError)}`).join('; ')}.`;
}

export const gradcheck: Kind<GradcheckSettings, GradcheckStageResult> = {
  name: 'gradcheck',
  description: 'compare analytic and numerical gradients (fails above the threshold)',
  keeps: false,
  readsData: true,
  schema: {
    description: 'Analytic vs centred-difference gradients on a small slice of the data; a relative error above the threshold fails the stage.',
    properties: {
      nets: { ...NET_LIST_SCHEMA, description: 'Nets to check (default: every net of defaults.nets).' },
      batchNorm: { ...BATCH_NORM_LIST_SCHEMA, description: 'With and/or without batch norm (default both).' },
      bnPlacement: {
        description: "Batch norm's placements to check, each a net of its own: before (on the scores) and/or after the ReLU (default [before]).",
        type: 'array', items: { enum: ['before', 'after'] }, minItems: 1, uniqueItems: true,
      },
      threshold: { description: 'Largest accepted relative error (default 1e-6).', type: 'number', exclusiveMinimum: 0 },
      h: { description: 'Centred-difference step (default 1e-5).', type: 'number', exclusiveMinimum: 0 },
      dims: { description: 'Input dimensions used, the first ones (default 20).', type: 'integer', minimum: 1, maximum: 4096, limitHint: 'the first dimensions of the input; 20 checks every layer' },
      samples: { description: 'Training images used, the first ones; ≥ 2 for batch statistics (default 4).', type: 'integer', minimum: 2, maximum: 1000, limitHint: 'a numerical gradient costs two passes per parameter; 4 images suffice' },
      lambda: { description: "λ of the checked cost (default: defaults.training's).", type: 'number', minimum: 0 },
      seed: { ...SEED_SCHEMA, description: "Seed of the nets' initialisation (default 1)." },
    },
  },
  from: () => [],
  resolve(raw, ctx) {
    const names = (raw.nets as string[] | undefined) ?? ctx.netNames;
    const bns = (raw.batchNorm as boolean[] | undefined) ?? [false, true];
    const placements = (raw.bnPlacement as BnPlacement[] | undefined) ?? ['before'];
    const nets = names.flatMap((n, i) =>
      bns.flatMap((bn): CheckedNet[] => {
        const net = ctx.net(n, bn, raw.nets ? ['nets', i] : []);
        return bn ? placements.map((p) => (p === 'after' ? { ...net, bnPlacement: 'after' as const } : net)) : [net];
      }),
    );
    const t = ctx.defaultTraining();
    const dims = (raw.dims as number | undefined) ?? 20;
    if (dims > ctx.dimensions) ctx.problem(['dims'], `${dims} > ${ctx.dimensions}, the input dimensions of the data set`);
    return {
      nets,
      threshold: (raw.threshold as number | undefined) ?? 1e-6,
      h: (raw.h as number | undefined) ?? 1e-5,
      dims,
      samples: (raw.samples as number | undefined) ?? 4,
      lambda: (raw.lambda as number | undefined) ?? (t.options.lambda as number),
      eps: t.options.eps as number,
      seed: (raw.seed as number | undefined) ?? 1,
    };
  },
  async run(stage, o) {
    const { env, view } = o;
    let table: string[] = [];
    const outcome = await view.stage(stage.name, async () => {
      const data = upstreamResult<DataStageResult>(env, 'data');
      const [prepared] = Object.values(await preparedFor(env, data, ['main'], o.warn));
      const checked = runGradcheck(env, stage.name, stage.settings, prepared);
      table = checked.table;
      if (!checked.result.passed) {
        const worst = Math.max(...checked.result.nets.flatMap((n) => n.checks.map((c) => c.relativeError)));
        view.summary(`${stage.name}: FAILED, no result written`);
        return { kind: 'check-failed' as const, message: `${stage.name}: relative error ${worst.toExponential(2)} > threshold ${checked.result.threshold}` };
      }
      return o.done(checked.result);
    });
    for (const line of table) o.print(line);
    return outcome;
  },
  section(r, ctx) {
    const nets = (ctx.stage.settings as GradcheckSettings).nets;
    const names = nets.map(checkedName);
    const [file] = uniqueSlugs([r.stage], ctx.files);
    const sentence = gradcheckSentence(r, names);
    return {
      blocks: [
        paragraph(
          `Relative error ‖g_a − g_n‖ / (‖g_a‖ + ‖g_n‖) between the analytic gradient and a centred-difference numerical one (h = ${sci(r.h)}), on the first ${r.dims} input dimensions of ${r.samples} samples, λ = ${sci(r.lambda)}${r.eps !== undefined ? `, ε = ${sci(r.eps)}` : ''}; threshold ${sci(r.threshold)}.`,
          sentence,
        ),
        chart(`${file}.svg`, 'Gradient check: relative error per layer and parameter, with and without batch norm, against the threshold', gradcheckChart(r, ctx.document, file, nets.map(bnName))),
        {
          type: 'file',
          file: `${file}.csv`,
          contents: `net,hidden,batch_norm,parameter,layer,relative_error,threshold,passed\n${r.nets
            .flatMap((n, i) => n.checks.map((c) => [JSON.stringify(names[i]), n.hidden.join(' '), n.batchNorm, c.parameter, c.layer, c.relativeError, r.threshold, c.relativeError <= r.threshold].join(',')))
            .join('\n')}\n`,
          text: 'Every relative error',
        },
      ],
      conclusions: [sentence],
    };
  },
};
