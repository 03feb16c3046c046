// grid: the cartesian product of listed values of any options (`vary`, in declared order, the first
// outermost) × seeds; full histories in the result when `history: true`. The report shows, per varied
// factor, test accuracy against its values (and, with histories, the groups that differ in the last
// factor overlaid), a table of mean ± std and Welch comparisons of each factor with the others fixed.
import type { OptionValue } from '@bnlab/engine';
import {
  bestValueSentences, chanceSentences, chart, comparisonSentence, comparisonsTable, factorChart, factorComparisons, groupsTable,
  heading, overlayCurvesChart, paragraph, plural, table, uniqueSlugs, type Block, type Factor, type FactorGroup, type NetSpec, type TrainResult,
} from '@bnlab/report';
import { formatValue, studyOption, valueLabel } from '../config/options.js';
import { stageHeader } from '../stages/context.js';
import { recordOf } from '../stages/stage.js';
import { applyValues, makeTrial, preparation, type Setup } from '../stages/trials.js';
import {
  baseSetup, BATCH_NORM_SCHEMA, NET_SCHEMA, netSpecOf, PREPARATION_SCHEMA, SEEDS_SCHEMA, seedsOf, TRAINING_SCHEMA,
} from './common.js';
import type { Kind } from './kind.js';

export interface GridSettings {
  factors: { name: string; values: OptionValue[] }[];
  seeds: number[];
  history: boolean;
  preparation: string;
  base: Setup;
  /** The nets `vary.net` names, with their widths. */
  nets: Record<string, number[]>;
}

export interface GridGroup {
  /** The varied values, shown: "3-layer, BN", "σ = 1e-3, 9-layer, no BN". */
  name: string;
  values: Record<string, OptionValue>;
  net: NetSpec & { name: string };
  runs: { seed: number; hash: string; result: TrainResult }[];
}

export interface GridResult {
  stage: string;
  kind: 'grid';
  profile: string;
  configHash: string;
  engine: string;
  kernel: string;
  factors: { name: string; values: OptionValue[] }[];
  history: boolean;
  groups: GridGroup[];
}

/** Every combination of the factors' values, the first factor outermost. */
export function combinations(factors: readonly { name: string; values: readonly OptionValue[] }[]): Record<string, OptionValue>[] {
  let out: Record<string, OptionValue>[] = [{}];
  for (const f of factors) out = out.flatMap((c) => f.values.map((v) => ({ ...c, [f.name]: v })));
  return out;
}

export function groupName(values: Record<string, OptionValue>): string {
  return Object.entries(values).map(([k, v]) => valueLabel(k, v)).join(', ') || 'all';
}

/** A factor of the report: its values shown as the option list says. */
export function reportFactor(name: string, values: readonly OptionValue[]): Factor {
  return { name, label: studyOption(name)?.label ?? name, values: [...values], show: (v) => valueLabel(name, v as OptionValue) };
}

export const grid: Kind<GridSettings, GridResult> = {
  name: 'grid',
  description: 'every combination of the listed values of any options × seeds',
  keeps: false,
  readsData: true,
  schema: {
    description: 'The cartesian product of listed values of any training options (`vary`) × seeds; full histories with `history: true`.',
    required: ['vary'],
    properties: {
      vary: {
        description: 'Option → the values to try (any training option, net, batchNorm, sigma, nsEpochs, nsUpdates); every combination is run.',
        type: 'object',
        minProperties: 1,
        maxProperties: 20,
        additionalProperties: { type: 'array', minItems: 1, maxItems: 1000, uniqueItems: true, limitHint: 'every combination of the listed values is a trial per seed' },
      },
      seeds: SEEDS_SCHEMA,
      history: { description: 'Keep every run\'s full training history in the result (loss curves in the report).', type: 'boolean' },
      net: { ...NET_SCHEMA, description: 'The net when `vary` has no net (default: the first of defaults.nets).' },
      batchNorm: { ...BATCH_NORM_SCHEMA, description: 'Batch norm when `vary` has no batchNorm (default false).' },
      preparation: PREPARATION_SCHEMA,
      training: TRAINING_SCHEMA,
    },
  },
  from: () => [],
  resolve(raw, ctx) {
    const vary = (raw.vary ?? {}) as Record<string, unknown[]>;
    const factors: GridSettings['factors'] = [];
    for (const [name, values] of Object.entries(vary)) {
      if (!ctx.checkOption(name, ['vary', name])) continue;
      if (!Array.isArray(values)) continue;
      values.forEach((v, i) => ctx.checkValue(name, v, ['vary', name, i]));
      factors.push({ name, values: values as OptionValue[] });
    }
    const netNames = (vary.net ?? []).filter((n): n is string => typeof n === 'string');
    return {
      factors,
      seeds: seedsOf(raw),
      history: (raw.history as boolean | undefined) ?? false,
      preparation: (raw.preparation as string | undefined) ?? 'main',
      base: baseSetup(raw, ctx),
      nets: ctx.netTable(netNames),
    };
  },
  configuredTrials: (s) => combinations(s.factors).length * s.seeds.length,
  plan(stage, { env, data }) {
    const s = stage.settings;
    const prep = preparation(data, s.preparation);
    const groups = combinations(s.factors).map((values) => {
      const setup = applyValues(s.base, values, s.nets);
      const name = groupName(values);
      return { name, values, net: netSpecOf(setup), trials: s.seeds.map((seed) => makeTrial(env, prep, setup, seed, `${stage.name} ${name} seed ${seed}`)) };
    });
    return {
      trials: groups.flatMap((g) => g.trials),
      aggregate: (records) => ({
        ...stageHeader(env, stage.name),
        kind: 'grid',
        factors: s.factors,
        history: s.history,
        groups: groups.map((g) => ({
          name: g.name,
          values: g.values,
          net: g.net,
          runs: g.trials.map((t, i) => {
            const r = recordOf(records, t).result;
            return { seed: s.seeds[i], hash: t.hash, result: s.history ? r : { ...r, history: [] } };
          }),
        })),
      }),
    };
  },
  trialHashes: (r) => r.groups.flatMap((g) => g.runs.map((x) => x.hash)),
  training: (s) => s.base.training,
  section(r, ctx) {
    const factors = r.factors.map((f) => reportFactor(f.name, f.values));
    const groups: FactorGroup[] = r.groups.map((g) => ({
      name: g.name,
      values: g.values,
      runs: g.runs.map((x) => ({ seed: x.seed, hash: x.hash, accuracy: x.result.accuracy, diverged: x.result.diverged })),
    }));
    const classes = ctx.data.classes.length;
    const stage = r.stage;
    const seeds = Math.max(...r.groups.map((g) => g.runs.length));
    const blocks: Block[] = [
      paragraph(
        `${plural(r.groups.length, 'configuration')} (${factors.map((f) => `${f.label} ∈ {${f.values.map((v) => formatValue(f.name, v as OptionValue)).join(', ')}}`).join(' × ') || 'one'}), ${plural(seeds, 'seed')} each.`,
        'Mean ± sample standard deviation over seeds, in percent.',
      ),
      table(groupsTable(`${stage}.csv`, groups, factors)),
    ];
    const bn = factors.find((f) => f.name === 'batchNorm');
    // Per varied factor: test accuracy against its values, coloured by batch norm when that varies too.
    const slugs = uniqueSlugs(factors.map((f) => `${stage}-by-${f.name}`), ctx.files);
    factors.forEach((f, i) => {
      if (f.values.length < 2) return;
      const color = bn && bn !== f ? bn : undefined;
      const rows = factors.filter((x) => x !== f && x !== color);
      blocks.push(
        heading(3, `Test accuracy by ${f.label}`),
        chart(
          `${slugs[i]}.svg`,
          `${stage}: test accuracy by ${f.label}${color ? ' and batch norm' : ''}, one dot per seed`,
          factorChart(groups, f, color, rows, ctx.document, {
            title: `${stage}: test accuracy by ${f.label}`,
            subtitle: `${plural(seeds, 'seed')} per configuration; bar: mean, line: ± std`,
            chance: 1 / classes,
          }, slugs[i]),
        ),
      );
    });
    if (r.history) {
      // The groups that differ only in the last factor (batch norm in the reference) on one chart each.
      const last = factors[factors.length - 1];
      const sets = new Map<string, typeof r.groups>();
      for (const g of r.groups) {
        const key = factors.filter((f) => f !== last).map((f) => f.show(g.values[f.name])).join(', ') || 'all';
        sets.set(key, [...(sets.get(key) ?? []), g]);
      }
      const keys = [...sets.keys()];
      const files = uniqueSlugs(keys.map((k) => `${stage}-curves-${k}`), ctx.files);
      blocks.push(heading(3, 'Training curves'), paragraph('Cost, loss and accuracy over update steps; validation solid with its min–max band over seeds, training dashed.'));
      keys.forEach((k, i) => {
        const list = sets.get(k)!;
        blocks.push(
          chart(
            `${files[i]}.svg`,
            `${stage}: cost, loss and accuracy of ${list.map((g) => g.name).join(' and ')}`,
            overlayCurvesChart(list.map((g) => ({ name: g.name, histories: g.runs.map((x) => x.result.history) })), ctx.document, {
              title: `${stage}: ${k}`,
              subtitle: `${list.map((g) => (last ? g.values[last.name] !== undefined ? last.show(g.values[last.name]) : g.name : g.name)).join(' vs ')}; mean over ${plural(seeds, 'seed')}`,
            }, files[i]),
          ),
        );
      });
    }
    const comparisons = factors.flatMap((f) => factorComparisons(groups, f, factors));
    if (comparisons.length > 0) {
      blocks.push(heading(3, 'Comparisons, with 95 % intervals'), table(comparisonsTable(`${stage}-comparisons.csv`, comparisons)));
    }
    const conclusions = [
      // Two-valued factors (batch norm, a pair of nets): every comparison; numeric factors with more values: the best value per setting.
      ...factors.filter((f) => f.values.length === 2).flatMap((f) => factorComparisons(groups, f, factors).map((c) => comparisonSentence(c))),
      ...factors.filter((f) => f.values.length > 2).flatMap((f) => bestValueSentences(groups, f, factors, classes)),
      ...chanceSentences(groups, classes),
    ];
    return { blocks, conclusions };
  },
};

