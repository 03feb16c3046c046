// Groups of runs named by the values a study varied, for any factor: mean ± std per group, Welch
// comparisons of one factor with the others fixed, and the sentences computed from them (which way a
// difference goes, whether its interval contains 0, which groups stayed at chance, which value of a
// numeric factor did best).
import type { Split3 } from './results.js';
import { pct, pctMeanStd, pp } from './format.js';
import { sample, SPLITS, type Sample, type SplitName } from './groups.js';
import { SPLIT_LABEL } from './palette.js';
import { welch, type Welch } from './stats.js';
import type { CsvValue, Table } from './tables.js';

export type FactorValue = string | number | boolean;

export interface FactorRun {
  seed: number;
  hash: string;
  accuracy: Split3;
  diverged: boolean;
}

/** One configuration run with several seeds; `values` are the varied values that name it. */
export interface FactorGroup {
  name: string;
  values: Record<string, FactorValue>;
  runs: FactorRun[];
}

/** A varied option: its name, its label and how its values are shown (the pipeline's option list decides). */
export interface Factor {
  name: string;
  label: string;
  values: FactorValue[];
  /** "BN", "σ = 1e-3", "3-layer". */
  show(value: FactorValue): string;
}

/** A mean test accuracy within this many percentage points of 1/classes counts as chance level. */
export const CHANCE_MARGIN = 0.02;

export function groupSample(g: FactorGroup): Sample {
  return sample(g.name, g.runs);
}

export interface FactorComparison {
  factor: Factor;
  from: FactorValue;
  to: FactorValue;
  /** The other factors' values, shown: "9-layer, σ = 1e-3" ('' when nothing else varies). */
  fixed: string;
  a: Sample;
  b: Sample;
  /** Welch interval of mean(b) − mean(a), per split. */
  welch: Record<SplitName, Welch>;
}

/**
 * Each group at the factor's first value against its twins (every other value, all other factors
 * equal), in group order: for batch norm [false, true], no BN → BN per net.
 */
export function factorComparisons(groups: readonly FactorGroup[], factor: Factor, factors: readonly Factor[]): FactorComparison[] {
  const others = factors.filter((f) => f.name !== factor.name);
  const same = (x: FactorGroup, y: FactorGroup) => others.every((f) => x.values[f.name] === y.values[f.name]);
  const out: FactorComparison[] = [];
  for (const g of groups) {
    if (g.values[factor.name] !== factor.values[0]) continue;
    for (const to of factor.values.slice(1)) {
      const twin = groups.find((h) => h.values[factor.name] === to && same(g, h));
      if (!twin) continue;
      const [a, b] = [groupSample(g), groupSample(twin)];
      const w = (s: SplitName) => welch(a.values[s], b.values[s]);
      out.push({
        factor,
        from: factor.values[0],
        to,
        fixed: others.map((f) => f.show(g.values[f.name])).join(', '),
        a,
        b,
        welch: { train: w('train'), validation: w('validation'), test: w('test') },
      });
    }
  }
  return out;
}

/** "[−0.60, +1.60] pp" */
export function intervalText(lo: number, hi: number): string {
  return `[${pp(lo)}, ${pp(hi)}] pp`;
}

export type Verdict = 'higher' | 'lower' | 'within noise' | 'undefined (one seed)';

export function verdict(c: Pick<FactorComparison, 'welch'>, split: SplitName = 'test'): Verdict {
  const w = c.welch[split];
  if (w.interval === null) return 'undefined (one seed)';
  if (w.withinNoise) return 'within noise';
  return w.diff > 0 ? 'higher' : 'lower';
}

function accuracy(s: Sample, split: SplitName): string {
  return `${pctMeanStd(s.summary[split].mean, s.summary[split].std)} %`;
}

/** "BN instead of no BN raised the test accuracy of 9-layer, σ = 1e-3 from X to Y (+d pp, 95 % CI [lo, hi] pp)." */
export function comparisonSentence(c: FactorComparison, split: SplitName = 'test'): string {
  const w = c.welch[split];
  const actor = `${c.factor.show(c.to)} instead of ${c.factor.show(c.from)}`;
  const object = `the ${SPLIT_LABEL[split]} accuracy${c.fixed ? ` of ${c.fixed}` : ''}`;
  const fromTo = `from ${accuracy(c.a, split)} to ${accuracy(c.b, split)}`;
  const values = [...c.a.values[split], ...c.b.values[split]];
  if (values.every((v) => v === values[0])) return `${actor} left ${object} at ${pct(values[0])} % (the same in all ${values.length} runs).`;
  if (w.interval === null) return `${actor} ${w.diff > 0 ? 'raised' : 'lowered'} ${object} ${fromTo} (${pp(w.diff)} pp; with one seed the interval is undefined, so this may be noise).`;
  if (w.withinNoise) return `${actor} changed ${object} ${fromTo}, which is within noise (${pp(w.diff)} pp, 95 % CI ${intervalText(w.interval.lo, w.interval.hi)} contains 0).`;
  return `${actor} ${w.diff > 0 ? 'raised' : 'lowered'} ${object} ${fromTo} (${pp(w.diff)} pp, 95 % CI ${intervalText(w.interval.lo, w.interval.hi)}).`;
}

/** One sentence per group whose mean test accuracy stayed at chance level. */
export function chanceSentences(groups: readonly FactorGroup[], classes: number): string[] {
  const chance = 1 / classes;
  return groups
    .map(groupSample)
    .filter((s) => Math.abs(s.summary.test.mean - chance) <= CHANCE_MARGIN)
    .map((s) => `${s.label} stayed at chance level: test accuracy ${accuracy(s, 'test')}, chance being ${pct(chance)} % for ${classes} classes.`);
}

/**
 * For a numeric factor: which of its values gave the highest mean test accuracy, for each setting of
 * the other factors, and from which value on the groups stayed at chance ("failed").
 */
export function bestValueSentences(groups: readonly FactorGroup[], factor: Factor, factors: readonly Factor[], classes: number): string[] {
  if (!factor.values.every((v) => typeof v === 'number') || factor.values.length < 2) return [];
  const others = factors.filter((f) => f.name !== factor.name);
  const settings = new Map<string, FactorGroup[]>();
  for (const g of groups) {
    const key = others.map((f) => f.show(g.values[f.name])).join(', ');
    settings.set(key, [...(settings.get(key) ?? []), g]);
  }
  const chance = 1 / classes;
  const out: string[] = [];
  for (const [key, list] of settings) {
    const rows = list.map((g) => ({ v: g.values[factor.name] as number, s: groupSample(g) })).sort((x, y) => x.v - y.v);
    if (rows.length < 2) continue;
    const best = rows.reduce((b, r) => (r.s.summary.test.mean > b.s.summary.test.mean ? r : b), rows[0]);
    const failed = rows.filter((r) => r.s.summary.test.mean - chance <= CHANCE_MARGIN);
    const failText = failed.length === 0
      ? `none of the ${rows.length} values failed (all above chance)`
      : `it stayed at chance with ${factor.label} = ${failed.map((r) => factor.show(r.v).replace(/^.* = /, '')).join(', ')}`;
    out.push(`${key ? `${key}: ` : ''}the best ${factor.label} was ${factor.show(best.v).replace(/^.* = /, '')} (test ${accuracy(best.s, 'test')}); ${failText}.`);
  }
  return out;
}

const SPLIT_HEADERS = SPLITS.map((k) => `${SPLIT_LABEL[k]} (%)`);
const MEAN_STD_CSV_HEADER = SPLITS.flatMap((k) => [`${k}_accuracy_mean`, `${k}_accuracy_std`]);

function meanStdCsv(s: Sample): (number | null)[] {
  return SPLITS.flatMap((k) => [s.summary[k].mean, Number.isFinite(s.summary[k].std) ? s.summary[k].std : null]);
}

/** Mean ± std per group, one column per factor (the user's values), then the splits. */
export function groupsTable(file: string, groups: readonly FactorGroup[], factors: readonly Factor[]): Table {
  const samples = groups.map(groupSample);
  return {
    file,
    header: [...factors.map((f) => f.label), 'seeds', ...SPLIT_HEADERS, 'diverged'],
    align: [...factors.map(() => 'l' as const), 'r', 'r', 'r', 'r', 'r'],
    rows: groups.map((g, i) => [
      ...factors.map((f) => f.show(g.values[f.name]).replace(/^.* = /, '')),
      String(g.runs.length),
      ...SPLITS.map((k) => pctMeanStd(samples[i].summary[k].mean, samples[i].summary[k].std)),
      String(samples[i].diverged),
    ]),
    csvHeader: ['group', ...factors.map((f) => f.name), 'seeds', ...MEAN_STD_CSV_HEADER, 'diverged'],
    csvRows: groups.map((g, i) => [
      g.name,
      ...factors.map((f) => g.values[f.name] as CsvValue),
      g.runs.map((r) => r.seed).join(' '),
      ...meanStdCsv(samples[i]),
      samples[i].diverged,
    ]),
  };
}

/** The comparisons on test accuracy in Markdown; all three splits in the CSV. */
export function comparisonsTable(file: string, comparisons: readonly FactorComparison[]): Table {
  return {
    file,
    header: ['comparison', 'fixed', 'from (test %)', 'to (test %)', 'difference (pp)', '95 % CI (pp)', 'Welch df', 'verdict'],
    align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'],
    rows: comparisons.map((c) => {
      const w = c.welch.test;
      return [
        `${c.factor.show(c.from)} → ${c.factor.show(c.to)}`,
        c.fixed || '—',
        pctMeanStd(c.a.summary.test.mean, c.a.summary.test.std),
        pctMeanStd(c.b.summary.test.mean, c.b.summary.test.std),
        pp(w.diff),
        w.interval ? intervalText(w.interval.lo, w.interval.hi).replace(/ pp$/, '') : 'undefined',
        w.interval && Number.isFinite(w.interval.df) ? w.interval.df.toFixed(1) : '—',
        verdict(c),
      ];
    }),
    csvHeader: ['factor', 'from', 'to', 'fixed', 'split', 'n_from', 'mean_from', 'std_from', 'n_to', 'mean_to', 'std_to', 'difference', 'ci95_low', 'ci95_high', 'welch_df', 'verdict'],
    csvRows: comparisons.flatMap((c) =>
      SPLITS.map((k) => {
        const w = c.welch[k];
        const [a, b] = [c.a.summary[k], c.b.summary[k]];
        return [
          c.factor.name, c.from, c.to, c.fixed, k,
          a.n, a.mean, Number.isFinite(a.std) ? a.std : null, b.n, b.mean, Number.isFinite(b.std) ? b.std : null,
          w.diff, w.interval?.lo ?? null, w.interval?.hi ?? null, w.interval && Number.isFinite(w.interval.df) ? w.interval.df : null, verdict(c, k),
        ];
      }),
    ),
  };
}

/**
 * File-name-safe slugs for `names`, distinct even when two names slugify alike ("a b" and "a-b"):
 * a later duplicate gets -2, -3, …; `taken` (already used names) is updated.
 */
export function uniqueSlugs(names: readonly string[], taken: Set<string> = new Set()): string[] {
  return names.map((n) => {
    const base = n.toLowerCase().normalize('NFKD').replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'group';
    let s = base;
    for (let i = 2; taken.has(s); i++) s = `${base}-${i}`;
    taken.add(s);
    return s;
  });
}
