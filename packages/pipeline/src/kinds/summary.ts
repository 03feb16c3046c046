// summary: conclusions across stages. Each `compare` grid stage is one improvement: its first
// configuration is the baseline, its best (by mean validation accuracy, so the test set does not pick
// it) the improvement; the test-accuracy gain comes with a Welch 95 % interval and the largest gain is
// named. The `best` evaluate stage gives the best test accuracy reached, set next to the baseline and
// to a `reference` figure (another study's, given in the YAML). Trains nothing: its result is
// aggregated from the upstream results alone, so it is current exactly when they are.
import type { OptionValue } from '@bnlab/engine';
import {
  intervalText, mean, paragraph, pct, pctMeanStd, plural, pp, sample, table, uniqueSlugs, welch, type Block, type Sample, type Split3, type Welch,
} from '@bnlab/report';
import { stageHeader } from '../stages/context.js';
import type { EvaluateResult } from './evaluate.js';
import type { GridResult } from './grid.js';
import type { Kind } from './kind.js';
import { valuesText } from './common.js';

export interface SummarySettings {
  compare: string[];
  best?: string;
  reference?: { accuracy: number; label: string };
}

/** A configuration of an upstream stage and its runs' accuracies. */
export interface SummaryGroup {
  name: string;
  values: Record<string, OptionValue>;
  runs: { seed: number; accuracy: Split3; diverged: boolean }[];
}

export interface SummaryResult {
  stage: string;
  kind: 'summary';
  profile: string;
  configHash: string;
  engine: string;
  kernel: string;
  /** Per compared stage: its baseline (first configuration) and its best by mean validation accuracy. */
  comparisons: { stage: string; baseline: SummaryGroup; best: SummaryGroup }[];
  /** The `best` stage's best configuration by mean validation accuracy. */
  best?: SummaryGroup & { stage: string };
  reference?: { accuracy: number; label: string };
}

/** The group with the highest mean validation accuracy (the first of equals). */
export function bestByValidation<G extends SummaryGroup>(groups: readonly G[]): G {
  const validation = (g: G) => mean(g.runs.map((r) => r.accuracy.validation));
  return groups.reduce((b, g) => (validation(g) > validation(b) ? g : b), groups[0]);
}

function gridGroups(r: GridResult): SummaryGroup[] {
  return r.groups.map((g) => ({
    name: g.name,
    values: g.values,
    runs: g.runs.map((x) => ({ seed: x.seed, accuracy: x.result.accuracy, diverged: x.result.diverged })),
  }));
}

function evaluateGroups(r: EvaluateResult): SummaryGroup[] {
  const shown = valuesText(Object.fromEntries(Object.entries(r.values).filter(([k]) => k !== 'net' && k !== 'batchNorm')));
  return r.groups.map((g) => ({
    name: shown ? `${g.name}, ${shown}` : g.name,
    values: r.values,
    runs: g.runs.map(({ seed, accuracy, diverged }) => ({ seed, accuracy, diverged })),
  }));
}

/** A comparison computed: the test accuracies of baseline and best and the Welch interval of best − baseline. */
export interface Gain {
  stage: string;
  baseline: Sample;
  best: Sample;
  same: boolean;
  welch: Welch;
}

export function gains(r: SummaryResult): Gain[] {
  return r.comparisons.map((c) => {
    const [a, b] = [sample(c.baseline.name, c.baseline.runs), sample(c.best.name, c.best.runs)];
    return { stage: c.stage, baseline: a, best: b, same: c.baseline.name === c.best.name, welch: welch(a.values.test, b.values.test) };
  });
}

/** Test accuracy, mean ± sample std (no std for one run), in percent without the unit. */
const testCell = (s: Sample) => pctMeanStd(s.summary.test.mean, s.values.test.length > 1 ? s.summary.test.std : NaN);
const acc = (s: Sample) => `${testCell(s)} %`;
const interval = (w: Welch) => (w.interval ? `95 % CI ${intervalText(w.interval.lo, w.interval.hi)}` : 'no interval with one seed');
const noise = (w: Welch) => (w.interval === null ? ' (one seed: may be noise)' : w.withinNoise ? ', within noise' : '');

/** The computed sentences: the largest gain, the best accuracy next to the baseline and the reference. */
export function summaryConclusions(r: SummaryResult): string[] {
  const out: string[] = [];
  const all = gains(r);
  const real = all.filter((g) => !g.same);
  if (all.length > 0 && real.length === 0) {
    out.push(`No improvement beat its baseline on validation accuracy (${all.map((g) => `'${g.stage}'`).join(', ')}).`);
  } else if (real.length > 0) {
    const top = real.reduce((b, g) => (g.welch.diff > b.welch.diff ? g : b), real[0]);
    const verb = top.welch.diff >= 0 ? 'raised' : 'lowered';
    out.push(
      `The largest gain: ${top.best.label} ('${top.stage}') ${verb} the test accuracy from ${acc(top.baseline)} (${top.baseline.label}) to ${acc(top.best)} (${pp(top.welch.diff)} pp, ${interval(top.welch)}${noise(top.welch)}).`,
    );
    for (const g of all.filter((x) => x !== top)) {
      out.push(
        g.same
          ? `'${g.stage}': the baseline ${g.baseline.label} stayed best on validation accuracy (${acc(g.baseline)} test).`
          : `'${g.stage}': ${g.best.label} against ${g.baseline.label}: ${pp(g.welch.diff)} pp test (${interval(g.welch)}${noise(g.welch)}).`,
      );
    }
  }
  // The best reached: the highest mean validation accuracy among every improvement's best and the
  // best combination (the test set picks nothing), its test accuracy beside the first baseline and the reference.
  const candidates = [...r.comparisons.map((c) => ({ stage: c.stage, ...c.best })), ...(r.best ? [r.best] : [])];
  if (candidates.length > 0) {
    const top = bestByValidation(candidates);
    const b = sample(top.name, top.runs);
    let line = `The best test accuracy reached: ${acc(b)} over ${plural(b.values.test.length, 'run')} ('${top.stage}': ${top.name}; the highest mean validation accuracy, ${pct(b.summary.validation.mean)} %), the best run ${pct(Math.max(...b.values.test))} %`;
    const base = r.comparisons[0];
    if (base && !(top.stage === base.stage && top.name === base.baseline.name)) {
      const a = sample(base.baseline.name, base.baseline.runs);
      const w = welch(a.values.test, b.values.test);
      line += `; ${pp(w.diff)} pp over the baseline ${base.baseline.name} of '${base.stage}' (${acc(a)}; ${interval(w)}${noise(w)})`;
    }
    if (r.reference) line += `; ${r.reference.label}: ${pct(r.reference.accuracy)} % (${pp(b.summary.test.mean - r.reference.accuracy)} pp)`;
    out.push(`${line}.`);
    if (r.best && top !== candidates.at(-1)) {
      const c = sample(r.best.name, r.best.runs);
      out.push(
        `The best combination ('${r.best.stage}': ${r.best.name}) reached ${acc(c)} test over ${plural(c.values.test.length, 'run')}, ${pct(c.summary.validation.mean)} % validation: below ${top.name} of '${top.stage}', so combining the improvements did not pay off here.`,
      );
    }
  }
  return out;
}

export const summary: Kind<SummarySettings, SummaryResult> = {
  name: 'summary',
  description: 'conclusions across stages: the largest gain over each grid\'s baseline, the best accuracy next to a reference',
  keeps: false,
  readsData: true,
  schema: {
    description:
      "Conclusions across stages: each `compare` grid's best configuration (by mean validation accuracy) against its first (the baseline), with Welch 95 % intervals of the test accuracy, the largest gain named; the `best` evaluate stage's test accuracy next to the first baseline and a `reference` figure. Trains nothing.",
    required: ['compare'],
    properties: {
      compare: {
        description: 'Grid stages, one improvement each; list the baseline value first in each one\'s `vary`.',
        type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 100, uniqueItems: true,
      },
      best: { description: 'An evaluate stage: the best test accuracy reached.', type: 'string' },
      reference: {
        description: 'A figure to set the best accuracy beside (another study\'s best test accuracy).',
        type: 'object',
        additionalProperties: false,
        required: ['accuracy', 'label'],
        properties: {
          accuracy: { description: 'A test accuracy in [0, 1] (0.5366 for 53.66 %).', type: 'number', minimum: 0, maximum: 1, limitHint: 'an accuracy is a fraction: 0.5366 for 53.66 %' },
          label: { description: 'What it is: "the reference\'s 3-layer net with batch norm".', type: 'string', minLength: 1 },
        },
      },
    },
  },
  from: (raw) => [...(Array.isArray(raw.compare) ? raw.compare.filter((s): s is string => typeof s === 'string') : []), ...(typeof raw.best === 'string' ? [raw.best] : [])],
  resolve(raw, ctx) {
    const check = (name: string, keys: (string | number)[], kinds: string[]) => {
      const up = ctx.from(name, keys, false);
      if (up && !kinds.includes(up.kind)) ctx.problem([keys], `'${name}' is a ${up.kind} stage: ${keys[0]} reads ${kinds.join(' or ')} stages`);
    };
    const compare = (raw.compare as string[] | undefined) ?? [];
    compare.forEach((name, i) => check(name, ['compare', i], ['grid']));
    const best = raw.best as string | undefined;
    if (best !== undefined) check(best, ['best'], ['evaluate']);
    const reference = raw.reference as SummarySettings['reference'];
    return { compare, ...(best !== undefined ? { best } : {}), ...(reference ? { reference: { accuracy: reference.accuracy, label: reference.label } } : {}) };
  },
  configuredTrials: () => 0,
  plan(stage, { env, upstream }) {
    const s = stage.settings;
    return {
      trials: [],
      aggregate: () => {
        const comparisons = s.compare.map((name) => {
          const groups = gridGroups(upstream(name) as GridResult);
          return { stage: name, baseline: groups[0], best: bestByValidation(groups) };
        });
        const best = s.best === undefined ? undefined : { stage: s.best, ...bestByValidation(evaluateGroups(upstream(s.best) as EvaluateResult)) };
        return { ...stageHeader(env, stage.name), kind: 'summary', comparisons, ...(best ? { best } : {}), ...(s.reference ? { reference: s.reference } : {}) };
      },
    };
  },
  trialHashes: () => [],
  section(r, ctx) {
    const [file] = uniqueSlugs([r.stage], ctx.files);
    const rows = gains(r);
    const blocks: Block[] = [
      paragraph(
        "Each compared stage's best configuration by mean validation accuracy against its first configuration (the baseline); test accuracy, mean ± sample std over seeds, and the Welch 95 % interval of the difference.",
      ),
      table({
        file: `${file}.csv`,
        header: ['stage', 'baseline', 'best', 'baseline test (%)', 'best test (%)', 'gain (pp)', '95 % interval (pp)'],
        align: ['l', 'l', 'l', 'r', 'r', 'r', 'r'],
        rows: rows.map((g) => [
          g.stage, g.baseline.label, g.same ? '(the baseline)' : g.best.label, testCell(g.baseline), testCell(g.best),
          pp(g.welch.diff), g.welch.interval ? intervalText(g.welch.interval.lo, g.welch.interval.hi).replace(/ pp$/, '') : '—',
        ]),
        csvHeader: ['stage', 'baseline', 'best', 'baseline_runs', 'baseline_test_mean', 'best_runs', 'best_test_mean', 'gain', 'gain_low', 'gain_high'],
        csvRows: rows.map((g) => [
          g.stage, g.baseline.label, g.best.label, g.baseline.values.test.length, g.baseline.summary.test.mean, g.best.values.test.length, g.best.summary.test.mean,
          g.welch.diff, g.welch.interval?.lo ?? null, g.welch.interval?.hi ?? null,
        ]),
      }),
    ];
    return { blocks, conclusions: summaryConclusions(r) };
  },
};
