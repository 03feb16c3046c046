// search: seeded random draws of any options from declared distributions (`logUniform: [a, b]`,
// `uniform: [a, b]`, `choice: [...]`), one trial per draw (all with the same trial seed, so trials
// differ only by the drawn values); keeps the best `keep` by validation accuracy, diverged last.
import {
  chart, heading, paragraph, pct, plural, scatterChart, table, uniqueSlugs, warning, type Block, type NetSpec,
} from '@bnlab/report';
import { formatValue, studyOption } from '../config/options.js';
import { rankTrials } from '../stages/aggregate.js';
import { stageHeader } from '../stages/context.js';
import { drawSpace, type Distribution } from '../stages/search.js';
import { recordOf } from '../stages/stage.js';
import { applyValues, makeTrial, preparation, type Setup } from '../stages/trials.js';
import {
  baseSetup, BATCH_NORM_SCHEMA, figures, NET_SCHEMA, netSpecOf, PREPARATION_SCHEMA, SEED_SCHEMA, TRAINING_SCHEMA, valuesText, type DrawnTrial,
} from './common.js';
import type { Kind, ResolveContext, SectionContext } from './kind.js';

export interface SearchSettings {
  space: { name: string; dist: Distribution; integer?: boolean }[];
  samples: number;
  seed: number;
  trialSeed: number;
  keep: number;
  preparation: string;
  base: Setup;
  nets: Record<string, number[]>;
}

export interface SearchResult {
  stage: string;
  kind: 'search';
  profile: string;
  configHash: string;
  engine: string;
  kernel: string;
  space: SearchSettings['space'];
  net: NetSpec & { name: string };
  /** Every trial in draw order. */
  trials: DrawnTrial[];
  /** The best `keep` trials by validation accuracy (diverged last), best first. */
  best: DrawnTrial[];
}

const RANGE = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 };
export const DISTRIBUTION_SCHEMA = {
  description: 'logUniform: [a, b] (0 < a < b), uniform: [a, b] (a < b), or choice: [values].',
  errorMessage: 'must be one of {logUniform: [a, b]}, {uniform: [a, b]}, {choice: [values]}',
  anyOf: [
    { type: 'object', additionalProperties: false, required: ['logUniform'], properties: { logUniform: RANGE } },
    { type: 'object', additionalProperties: false, required: ['uniform'], properties: { uniform: RANGE } },
    { type: 'object', additionalProperties: false, required: ['choice'], properties: { choice: { type: 'array', minItems: 1, uniqueItems: true } } },
  ],
};

/** The draws' distributions, checked against each option's range. */
export function resolveSpace(raw: Record<string, Distribution>, ctx: ResolveContext, key: string): SearchSettings['space'] {
  const out: SearchSettings['space'] = [];
  for (const [name, dist] of Object.entries(raw ?? {})) {
    if (!ctx.checkOption(name, [key, name])) continue;
    const o = studyOption(name)!;
    const at = (k: string): (string | number)[] => [key, name, k];
    if ('choice' in dist) {
      dist.choice.forEach((v, i) => ctx.checkValue(name, v, [...at('choice'), i]));
    } else {
      const [k, [a, b]] = 'logUniform' in dist ? ['logUniform', dist.logUniform] : ['uniform', dist.uniform];
      if (o.type !== 'number' && o.type !== 'integer') {
        ctx.problem([at(k)], `${name} is not numeric: draw it with choice: [...]`);
        continue;
      }
      if (!(a < b)) ctx.problem([at(k)], `empty range [${a}, ${b}]: the first bound must be below the second`);
      if (k === 'logUniform' && !(a > 0)) ctx.problem([at(k)], `a log-uniform range must be positive, got [${a}, ${b}]`);
      ctx.checkValue(name, a, [...at(k), 0]);
      ctx.checkValue(name, b, [...at(k), 1]);
    }
    out.push({ name, dist, ...(o.type === 'integer' ? { integer: true } : {}) });
  }
  return out;
}

/** Nets a `net` choice may draw, with their widths. */
export function spaceNets(space: SearchSettings['space'], ctx: ResolveContext): Record<string, number[]> {
  const names = space.flatMap((s) => (s.name === 'net' && 'choice' in s.dist ? (s.dist.choice as string[]) : []));
  return ctx.netTable(names);
}

export const search: Kind<SearchSettings, SearchResult> = {
  name: 'search',
  description: 'seeded random draws of options from distributions; keeps the best by validation accuracy',
  keeps: true,
  readsData: true,
  schema: {
    description: 'Seeded random draws of any options from declared distributions, one trial each; keeps the best `keep` by validation accuracy (diverged last).',
    required: ['space', 'samples'],
    properties: {
      space: { description: 'Option → its distribution.', type: 'object', minProperties: 1, additionalProperties: DISTRIBUTION_SCHEMA },
      samples: { description: 'Number of draws.', type: 'integer', minimum: 1, maximum: 10000, limitHint: 'one trial per draw; the reference drew 50' },
      seed: { ...SEED_SCHEMA, description: 'Seed of the draws (default 1).' },
      trialSeed: { ...SEED_SCHEMA, description: 'Seed every trial trains with (default 1).' },
      keep: { description: 'How many of the best trials a refine or evaluate starts from (default 1).', type: 'integer', minimum: 1, maximum: 100, limitHint: 'the reference kept 3' },
      net: NET_SCHEMA,
      batchNorm: BATCH_NORM_SCHEMA,
      preparation: PREPARATION_SCHEMA,
      training: TRAINING_SCHEMA,
    },
  },
  from: () => [],
  resolve(raw, ctx) {
    const space = resolveSpace(raw.space as Record<string, Distribution>, ctx, 'space');
    const samples = raw.samples as number;
    const keep = (raw.keep as number | undefined) ?? 1;
    if (keep > samples) ctx.problem([['keep'], ['samples']], `keeps ${keep} of ${samples} samples: keep at most samples`);
    return {
      space,
      samples,
      seed: (raw.seed as number | undefined) ?? 1,
      trialSeed: (raw.trialSeed as number | undefined) ?? 1,
      keep,
      preparation: (raw.preparation as string | undefined) ?? 'main',
      base: baseSetup(raw, ctx),
      nets: spaceNets(space, ctx),
    };
  },
  configuredTrials: (s) => s.samples,
  plan(stage, { env, data }) {
    const s = stage.settings;
    const prep = preparation(data, s.preparation);
    const draws = drawSpace(s.space, s.samples, s.seed);
    const trials = draws.map((values, i) => makeTrial(env, prep, applyValues(s.base, values, s.nets), s.trialSeed, `${stage.name} #${i + 1} ${valuesText(values)}`));
    return {
      trials,
      aggregate: (records) => {
        const all = trials.map((t, i) => ({ values: draws[i], ...figures(s.trialSeed, t.hash, recordOf(records, t).result) }));
        return { ...stageHeader(env, stage.name), kind: 'search', space: s.space, net: netSpecOf(s.base), trials: all, best: rankTrials(all).slice(0, s.keep) };
      },
    };
  },
  trialHashes: (r) => r.trials.map((t) => t.hash),
  kept: (r) => r.best.map((t) => ({ values: t.values })),
  training: (s) => s.base.training,
  section(r, ctx) {
    const blocks: Block[] = [
      paragraph(
        `${plural(r.trials.length, 'draw')} of ${r.space.map((x) => `${studyOption(x.name)?.label ?? x.name} ~ ${distText(x.dist, x.name)}`).join(', ')}, one run each (${r.net.name}, ${r.net.batchNorm ? 'BN' : 'no BN'}); the best ${r.best.length} by validation accuracy:`,
      ),
      ...drawnSection(r.stage, r.trials, r.best, r.space.map((x) => ({ name: x.name, dist: x.dist })), ctx),
    ];
    return { blocks, conclusions: drawnConclusions(r.stage, r.trials, r.best, r.space) };
  },
};

export function distText(d: Distribution, name: string): string {
  if ('logUniform' in d) return `log-uniform [${d.logUniform.map((v) => formatValue(name, v)).join(', ')}]`;
  if ('uniform' in d) return `uniform [${d.uniform.map((v) => formatValue(name, v)).join(', ')}]`;
  return `one of {${d.choice.map((v) => formatValue(name, v)).join(', ')}}`;
}

/** The kept table, one scatter per numeric drawn option, every trial as CSV, and edge warnings. */
export function drawnSection(
  stage: string,
  trials: readonly DrawnTrial[],
  best: readonly DrawnTrial[],
  options: readonly { name: string; dist?: Distribution; lo?: number; hi?: number }[],
  ctx: SectionContext,
): Block[] {
  const names = options.map((o) => o.name);
  const label = (n: string) => studyOption(n)?.label ?? n;
  const blocks: Block[] = [
    table({
      file: `${stage}.csv`,
      header: ['rank', ...names.map(label), 'training (%)', 'validation (%)', 'diverged'],
      align: ['r', ...names.map(() => 'r' as const), 'r', 'r', 'l'],
      rows: best.map((t, i) => [String(i + 1), ...names.map((n) => formatValue(n, t.values[n])), pct(t.accuracy.train), pct(t.accuracy.validation), t.diverged ? 'yes' : 'no']),
      csvHeader: ['rank', ...names, 'seed', 'train_accuracy', 'validation_accuracy', 'test_accuracy', 'diverged'],
      csvRows: best.map((t, i) => [i + 1, ...names.map((n) => t.values[n] as string | number | boolean), t.seed, t.accuracy.train, t.accuracy.validation, t.accuracy.test, t.diverged]),
    }),
    ...edgeWarnings(best[0], options).map((w) => warning(w)),
  ];
  const numeric = options.filter((o) => trials.every((t) => typeof t.values[o.name] === 'number'));
  const files = uniqueSlugs(numeric.map((o) => `${stage}-${o.name}`), ctx.files);
  numeric.forEach((o, i) => {
    const xs = trials.map((t) => t.values[o.name] as number);
    const log = o.dist ? 'logUniform' in o.dist : Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) > 100;
    const domain: [number, number] = o.dist && 'logUniform' in o.dist ? o.dist.logUniform : o.dist && 'uniform' in o.dist ? o.dist.uniform : [Math.min(...xs), Math.max(...xs)];
    const kept = new Set(best.map((t) => t.hash));
    blocks.push(
      chart(
        `${files[i]}.svg`,
        `${stage}: validation accuracy against ${label(o.name)}, kept trials ringed`,
        scatterChart(
          trials.map((t) => ({ x: t.values[o.name] as number, validation: t.accuracy.validation, diverged: t.diverged, kept: kept.has(t.hash) })),
          ctx.document,
          { title: `${stage}: validation accuracy against ${label(o.name)}`, subtitle: `${plural(trials.length, 'trial')}; the best ${best.length} ringed`, xLabel: `${label(o.name)}${log ? ' (log scale)' : ''}`, log, domain: domain[0] < domain[1] ? domain : [domain[0] * 0.9, domain[0] * 1.1] },
          files[i],
        ),
      ),
    );
  });
  blocks.push({
    type: 'file',
    file: `${stage}-trials.csv`,
    contents: tableCsv(trials, names),
    text: 'Every trial',
  });
  return blocks;
}

function tableCsv(trials: readonly DrawnTrial[], names: readonly string[]): string {
  const head = [...names, 'seed', 'train_accuracy', 'validation_accuracy', 'test_accuracy', 'diverged'];
  const rows = trials.map((t) => [...names.map((n) => String(t.values[n])), t.seed, t.accuracy.train, t.accuracy.validation, t.accuracy.test, t.diverged].join(','));
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

/** A best value in the outer 5 % of its range (log scale for log-uniform draws): the range may be too narrow. */
export function edgeWarnings(best: DrawnTrial | undefined, options: readonly { name: string; dist?: Distribution; lo?: number; hi?: number }[]): string[] {
  if (!best) return [];
  const out: string[] = [];
  for (const o of options) {
    const v = best.values[o.name];
    if (typeof v !== 'number') continue;
    const [lo, hi] = o.dist && 'logUniform' in o.dist ? o.dist.logUniform : o.dist && 'uniform' in o.dist ? o.dist.uniform : [o.lo ?? NaN, o.hi ?? NaN];
    if (!(lo < hi)) continue;
    const log = o.dist !== undefined && 'logUniform' in o.dist;
    const f = log ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo);
    if (f <= 0.05 || f >= 0.95) {
      const side = f <= 0.05 ? 'lower' : 'upper';
      out.push(`the best ${studyOption(o.name)?.label ?? o.name} = ${formatValue(o.name, v)} sits at the ${side} edge of its range [${formatValue(o.name, lo)}, ${formatValue(o.name, hi)}]: the best value may lie outside it; widen the range.`);
    }
  }
  return out;
}

export function drawnConclusions(stage: string, trials: readonly DrawnTrial[], best: readonly DrawnTrial[], options: readonly { name: string; dist?: Distribution; lo?: number; hi?: number }[]): string[] {
  const b = best[0];
  if (!b) return [`${stage} found no trial.`];
  const diverged = trials.filter((t) => t.diverged).length;
  return [
    `The best of ${plural(trials.length, 'trial')} had ${valuesText(b.values)}, validation accuracy ${pct(b.accuracy.validation)} % (one run per draw)${diverged ? `; ${diverged} diverged` : ''}.`,
    ...edgeWarnings(b, options).map((w) => `Warning: ${w}`),
  ];
}
