// evaluate: the best values of an earlier search or refine (`from`), or values given outright in its
// `training:` block, on each listed net × seeds, optionally on another data preparation
// (`preparation: final`): mean ± sample std of the accuracies.
import type { OptionValue } from '@bnlab/engine';
import {
  chart, finalSpreadChart, paragraph, pctMeanStd, plural, SPLITS, table, uniqueSlugs, type Block, type NetSpec, type Split3,
} from '@bnlab/report';
import { meanStd } from '../stages/aggregate.js';
import { stageHeader } from '../stages/context.js';
import { recordOf } from '../stages/stage.js';
import { applyValues, makeTrial, preparation, type Setup } from '../stages/trials.js';
import type { Net, Training } from '../config/types.js';
import {
  BATCH_NORM_LIST_SCHEMA, FROM_SCHEMA, NET_LIST_SCHEMA, netSpecOf, PREPARATION_SCHEMA, SEEDS_SCHEMA, seedsOf, TRAINING_SCHEMA, valuesText,
} from './common.js';
import type { Kind } from './kind.js';
import { keptValues } from './refine.js';

export interface EvaluateSettings {
  from?: string;
  /** Each listed net × batch norm; absent: the `from` stage's net. */
  nets?: Net[];
  seeds: number[];
  preparation: string;
  training: Training;
  /** The `from` stage's net and the nets its values may name. */
  fromBase?: Setup;
  fromNets: Record<string, number[]>;
}

export interface EvaluateRun {
  seed: number;
  hash: string;
  accuracy: Split3;
  diverged: boolean;
}

export interface EvaluateResult {
  stage: string;
  kind: 'evaluate';
  profile: string;
  configHash: string;
  engine: string;
  kernel: string;
  from?: string;
  /** The values taken from `from`'s best (empty without `from`). */
  values: Record<string, OptionValue>;
  preparation: string;
  groups: { name: string; net: NetSpec & { name: string }; runs: EvaluateRun[]; mean: Split3; std: Split3 }[];
}

export const evaluate: Kind<EvaluateSettings, EvaluateResult> = {
  name: 'evaluate',
  description: "the best configuration of an earlier stage (or one given) × seeds: mean ± std",
  keeps: false,
  readsData: true,
  schema: {
    description: "The best values of an earlier search or refine (`from`), or the stage's own training settings, on each net × seeds: mean ± std.",
    properties: {
      from: FROM_SCHEMA,
      nets: { ...NET_LIST_SCHEMA, description: "Nets to evaluate (default: the `from` stage's net)." },
      batchNorm: { ...BATCH_NORM_LIST_SCHEMA, description: "With and/or without batch norm (default: the `from` stage's)." },
      seeds: SEEDS_SCHEMA,
      preparation: PREPARATION_SCHEMA,
      training: TRAINING_SCHEMA,
    },
  },
  from: (raw) => (typeof raw.from === 'string' ? [raw.from] : []),
  resolve(raw, ctx) {
    const from = raw.from as string | undefined;
    const up = from === undefined ? undefined : ctx.from(from, ['from'], true);
    const upSettings = up?.settings as { base?: Setup; nets?: Record<string, number[]> } | undefined;
    let nets: Net[] | undefined;
    if (raw.nets !== undefined || raw.batchNorm !== undefined || from === undefined) {
      const names = (raw.nets as string[] | undefined) ?? (upSettings?.base ? [upSettings.base.net.name] : ctx.netNames.slice(0, 1));
      const bns = (raw.batchNorm as boolean[] | undefined) ?? [upSettings?.base?.net.batchNorm ?? false];
      nets = names.flatMap((n, i) => bns.map((bn) => ctx.net(n, bn, raw.nets ? ['nets', i] : ['from'])));
    }
    return {
      ...(from !== undefined ? { from } : {}),
      ...(nets ? { nets } : {}),
      seeds: seedsOf(raw),
      preparation: (raw.preparation as string | undefined) ?? 'main',
      training: ctx.training(),
      ...(upSettings?.base ? { fromBase: upSettings.base } : {}),
      fromNets: upSettings?.nets ?? {},
    };
  },
  configuredTrials: (s) => (s.nets?.length ?? 1) * s.seeds.length,
  plan(stage, { env, data, upstream }) {
    const s = stage.settings;
    const prep = preparation(data, s.preparation);
    const values = s.from !== undefined ? (keptValues(upstream(s.from))[0] ?? {}) : {};
    // Listed nets win over a net the values name; otherwise the values apply whole.
    const own = s.nets ? Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'net' && k !== 'batchNorm')) : values;
    const nets = s.nets ?? [s.fromBase!.net];
    const groups = nets.map((net) => {
      const setup = applyValues({ net, training: s.training }, own, s.fromNets);
      const name = `${setup.net.name}, ${setup.net.batchNorm ? 'BN' : 'no BN'}`;
      return { name, net: netSpecOf(setup), trials: s.seeds.map((seed) => makeTrial(env, prep, setup, seed, `${stage.name} ${name} seed ${seed}`)) };
    });
    return {
      trials: groups.flatMap((g) => g.trials),
      aggregate: (records) => ({
        ...stageHeader(env, stage.name),
        kind: 'evaluate',
        ...(s.from !== undefined ? { from: s.from } : {}),
        values,
        preparation: s.preparation,
        groups: groups.map((g) => {
          const runs = g.trials.map((t, i) => {
            const r = recordOf(records, t).result;
            return { seed: s.seeds[i], hash: t.hash, accuracy: r.accuracy, diverged: r.diverged };
          });
          return { name: g.name, net: g.net, runs, ...meanStd(runs.map((r) => r.accuracy)) };
        }),
      }),
    };
  },
  trialHashes: (r) => r.groups.flatMap((g) => g.runs.map((x) => x.hash)),
  training: (s) => s.training,
  section(r, ctx) {
    const [file] = uniqueSlugs([r.stage], ctx.files);
    const { options } = (ctx.stage.settings as EvaluateSettings).training;
    const lambda = (r.values.lambda as number | undefined) ?? (options.lambda as number);
    const cycles = options.cycles as number;
    const blocks: Block[] = [
      paragraph(
        `${r.from ? `The best values of '${r.from}' (${valuesText(r.values)})` : "The stage's own settings"}, trained on the '${r.preparation}' preparation's training set; mean ± sample standard deviation over runs with different seeds.`,
      ),
      table({
        file: `${file}.csv`,
        header: ['net', 'runs', ...SPLITS.map((k) => `${k === 'train' ? 'training' : k} (%)`), 'diverged'],
        align: ['l', 'r', 'r', 'r', 'r', 'r'],
        rows: r.groups.map((g) => [g.name, String(g.runs.length), ...SPLITS.map((k) => pctMeanStd(g.mean[k], g.runs.length > 1 ? g.std[k] : NaN)), String(g.runs.filter((x) => x.diverged).length)]),
        csvHeader: ['net', 'hidden', 'batch_norm', 'runs', ...SPLITS.flatMap((k) => [`${k}_accuracy_mean`, `${k}_accuracy_std`]), 'diverged'],
        csvRows: r.groups.map((g) => [g.name, g.net.hidden.join(' '), g.net.batchNorm, g.runs.length, ...SPLITS.flatMap((k) => [g.mean[k], g.runs.length > 1 ? g.std[k] : null]), g.runs.filter((x) => x.diverged).length]),
      }),
      chart(
        `${file}-spread.svg`,
        `${r.stage}: the spread of the runs, mean ± std per split and net`,
        finalSpreadChart({ ...r, lambda, cycles, groups: r.groups }, ctx.document, `${file}-spread`),
      ),
    ];
    const conclusions = r.groups.map(
      (g) => `${g.name}: ${SPLITS.map((k) => `${k === 'train' ? 'training' : k} ${pctMeanStd(g.mean[k], g.runs.length > 1 ? g.std[k] : NaN)} %`).join(', ')} over ${plural(g.runs.length, 'run')}${r.from ? ` with ${valuesText(r.values)}` : ''}.`,
    );
    return { blocks, conclusions };
  },
};
