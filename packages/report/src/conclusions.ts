// The report's sentences, each computed from the numbers: which way a difference goes, whether its
// Welch interval contains 0 ("within noise"), which checks passed, which nets stayed at chance.
import type { GradcheckStageResult, StudyResults } from './results.js';
import { lambda as formatLambda, pct, pctMeanStd, plural, pp, sci, sigma as formatSigma } from './format.js';
import { groupSample, netLabel, SPLITS, type Comparison, type Sample, type SplitName } from './groups.js';
import { SPLIT_LABEL } from './palette.js';

/** A mean test accuracy within this many percentage points of 1/classes counts as chance level. */
export const CHANCE_MARGIN = 0.02;

const PARAMETER_NAME = { W: 'W', b: 'b', gamma: 'γ', beta: 'β' } as const;

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function accuracy(sample: Sample, split: SplitName): string {
  const s = sample.summary[split];
  return `${pctMeanStd(s.mean, s.std)} %`;
}

/** "[−0.60, +1.60] pp" */
export function intervalText(lo: number, hi: number): string {
  return `[${pp(lo)}, ${pp(hi)}] pp`;
}

export type Verdict = 'higher' | 'lower' | 'within noise' | 'undefined (one seed)';

export function verdict(c: Comparison, split: SplitName = 'test'): Verdict {
  const w = c.welch[split];
  if (w.interval === null) return 'undefined (one seed)';
  if (w.withinNoise) return 'within noise';
  return w.diff > 0 ? 'higher' : 'lower';
}

/** "Batch norm raised the 9-layer test accuracy from X to Y with σ = 1e-3 (+d pp, 95 % CI [lo, hi] pp)." */
export function comparisonSentence(c: Comparison, split: SplitName = 'test'): string {
  const w = c.welch[split];
  const object = `the ${c.object ? `${c.object} ` : ''}${SPLIT_LABEL[split]} accuracy`;
  const fromTo = `from ${accuracy(c.a, split)} to ${accuracy(c.b, split)} ${c.context}`;
  const direction = w.diff > 0 ? 'raised' : 'lowered';
  const values = [...c.a.values[split], ...c.b.values[split]];
  let sentence: string;
  if (values.every((v) => v === values[0])) {
    sentence = `${c.actor} left ${object} at ${pct(values[0])} % ${c.context} (the same in all ${values.length} runs)`;
  } else if (w.diff === 0) {
    sentence = `${c.actor} left the mean of ${object} at ${pct(c.a.summary[split].mean)} % ${c.context}`;
  } else if (w.interval === null) {
    sentence = `${c.actor} ${direction} ${object} ${fromTo} (${pp(w.diff)} pp; with one seed per configuration the interval is undefined, so this may be noise)`;
  } else if (w.withinNoise) {
    sentence = `${c.actor} changed ${object} ${fromTo}, which is within noise (${pp(w.diff)} pp, 95 % CI ${intervalText(w.interval.lo, w.interval.hi)} contains 0)`;
  } else {
    sentence = `${c.actor} ${direction} ${object} ${fromTo} (${pp(w.diff)} pp, 95 % CI ${intervalText(w.interval.lo, w.interval.hi)})`;
  }
  return `${capitalize(sentence)}.`;
}

export function gradcheckSentence(g: GradcheckStageResult): string {
  const checks = g.nets.flatMap((n) => n.checks.map((c) => ({ ...c, net: netLabel(n) })));
  const failed = checks.filter((c) => !(c.relativeError <= g.threshold));
  const worst = checks.reduce((w, c) => (c.relativeError > w.relativeError ? c : w), checks[0]);
  const where = (c: (typeof checks)[number]) => `${PARAMETER_NAME[c.parameter]}, layer ${c.layer} of the ${c.net} net`;
  if (checks.length === 0) return 'No gradient checks were run.';
  if (failed.length === 0) {
    return `All ${checks.length} gradient checks of ${g.nets.length} nets are below the threshold ${sci(g.threshold)}: the largest relative error is ${sci(worst.relativeError)} (${where(worst)}).`;
  }
  const list = failed.map((c) => `${where(c)}: ${sci(c.relativeError)}`).join('; ');
  return `${failed.length} of ${checks.length} gradient checks exceed the threshold ${sci(g.threshold)}: ${list}.`;
}

/** Sentences for every configuration whose mean test accuracy stayed at chance level. */
export function chanceSentences(results: StudyResults): string[] {
  const chance = 1 / results.data.classes.length;
  const out: string[] = [];
  const near = (s: Sample) => Math.abs(s.summary.test.mean - chance) <= CHANCE_MARGIN;
  const curves = results.curves.groups.map(groupSample).filter(near);
  for (const s of curves) {
    out.push(`The ${s.label} net (He init) stayed at chance level: test accuracy ${accuracy(s, 'test')}, chance being ${pct(chance)} % for ${results.data.classes.length} classes.`);
  }
  const byNet = new Map<string, { sigma: number; sample: Sample }[]>();
  for (const g of results.sigma.groups) {
    const s = groupSample(g);
    if (!near(s)) continue;
    const list = byNet.get(s.label) ?? [];
    list.push({ sigma: g.sigma, sample: s });
    byNet.set(s.label, list);
  }
  for (const [label, list] of byNet) {
    const sigmas = list.map((x) => formatSigma(x.sigma));
    const accs = list.map((x) => accuracy(x.sample, 'test'));
    out.push(
      `The ${label} net stayed at chance level (${pct(chance)} % for ${results.data.classes.length} classes) with σ = ${joinWords(sigmas)}: test accuracy ${joinWords(accs)}.`,
    );
  }
  return out;
}

function joinWords(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

export function searchSentence(results: StudyResults): string {
  const coarse = results.coarse.best[0];
  const fine = results.fine.best;
  const gain = fine.accuracy.validation - (coarse?.accuracy.validation ?? NaN);
  const coarsePart = coarse
    ? `The coarse search's best λ was ${formatLambda(coarse.lambda)} (validation accuracy ${pct(coarse.accuracy.validation)} %)`
    : 'The coarse search found no λ';
  return `${coarsePart}; the fine search's best, λ = ${formatLambda(fine.lambda)}, reached ${pct(fine.accuracy.validation)} % (${pp(gain)} pp; the searches rank λ by a single run each).`;
}

export function finalSentences(results: StudyResults, depth: Comparison | undefined): string[] {
  const f = results.final;
  const parts = f.groups.map(
    (g) =>
      `the ${g.name} net reached ${SPLITS.map((s) => `${SPLIT_LABEL[s]} ${pctMeanStd(g.mean[s], g.runs.length > 1 ? g.std[s] : NaN)} %`).join(', ')} over ${g.runs.length} run${g.runs.length === 1 ? '' : 's'}`,
  );
  const out = [`With λ = ${formatLambda(f.lambda)} and ${plural(f.cycles, 'cycle')}, ${joinWords(parts)}.`];
  if (depth) out.push(comparisonSentence(depth));
  return out;
}
