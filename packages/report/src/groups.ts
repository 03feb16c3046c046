// Labels and summaries of trained configurations: the names charts and tables use, accuracies over
// seeds, and the comparisons (batch norm vs none, deep vs shallow) with Welch intervals.
import type { CurveGroup, NetSpec, SigmaGroup, Split3 } from './results.js';
import { sigma as formatSigma } from './format.js';
import { summarize, welch, type Summary, type Welch } from './stats.js';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

export function depthLabel(net: Pick<NetSpec, 'hidden'>): string {
  return `${net.hidden.length + 1}-layer`;
}

export function bnLabel(net: Pick<NetSpec, 'batchNorm'>): string {
  return net.batchNorm ? 'BN' : 'no BN';
}

export function netLabel(net: Pick<NetSpec, 'hidden' | 'batchNorm'>): string {
  return `${depthLabel(net)}, ${bnLabel(net)}`;
}

export function initLabel(net: NetSpec): string {
  return net.init.kind === 'he' ? 'He init' : `σ = ${formatSigma(net.init.sigma)}`;
}

export function isSigmaGroup(g: CurveGroup): g is SigmaGroup {
  return typeof (g as SigmaGroup).sigma === 'number';
}

/** A file-name-safe slug, e.g. "3-layer-bn" or "sigma-1e-3-9-layer-no-bn". */
export function groupSlug(g: CurveGroup): string {
  const base = `${depthLabel(g.net)}-${g.net.batchNorm ? 'bn' : 'no-bn'}`;
  return isSigmaGroup(g) ? `sigma-${formatSigma(g.sigma)}-${base}` : base;
}

/** Accuracies of the runs of one configuration, per split. */
export interface Sample {
  label: string;
  seeds: number[];
  values: Record<SplitName, number[]>;
  summary: Record<SplitName, Summary>;
  diverged: number;
}

export function sample(label: string, runs: readonly { seed: number; accuracy: Split3; diverged: boolean }[]): Sample {
  const values = {
    train: runs.map((r) => r.accuracy.train),
    validation: runs.map((r) => r.accuracy.validation),
    test: runs.map((r) => r.accuracy.test),
  };
  return {
    label,
    seeds: runs.map((r) => r.seed),
    values,
    summary: { train: summarize(values.train), validation: summarize(values.validation), test: summarize(values.test) },
    diverged: runs.filter((r) => r.diverged).length,
  };
}

export function groupSample(g: CurveGroup): Sample {
  return sample(netLabel(g.net), g.runs.map((r) => ({ seed: r.seed, accuracy: r.result.accuracy, diverged: r.result.diverged })));
}

export interface Comparison {
  stage: 'curves' | 'sigma' | 'final';
  /** What changes from a to b: 'batch norm' or 'depth'. */
  factor: 'batch norm' | 'depth';
  /** What is held fixed, for tables: "9-layer, σ = 1e-3", "no BN". */
  subject: string;
  /** For sentences: "[actor] raised the [object] test accuracy from A to B [context]". */
  actor: string;
  object: string;
  context: string;
  a: Sample;
  b: Sample;
  /** Welch interval of mean(b) − mean(a), per split. */
  welch: Record<SplitName, Welch>;
}

type Wording = Pick<Comparison, 'stage' | 'factor' | 'subject' | 'actor' | 'object' | 'context'>;

export function compare(wording: Wording, a: Sample, b: Sample): Comparison {
  const w = (s: SplitName) => welch(a.values[s], b.values[s]);
  return { ...wording, a, b, welch: { train: w('train'), validation: w('validation'), test: w('test') } };
}

function sameExceptBatchNorm(a: CurveGroup, b: CurveGroup): boolean {
  return (
    a.net.batchNorm !== b.net.batchNorm &&
    a.net.hidden.join(',') === b.net.hidden.join(',') &&
    JSON.stringify(a.net.init) === JSON.stringify(b.net.init) &&
    a.lambda === b.lambda &&
    (isSigmaGroup(a) ? a.sigma : null) === (isSigmaGroup(b) ? b.sigma : null)
  );
}

/** Each group without batch norm against its twin with batch norm (a = no BN, b = BN), in group order. */
export function bnComparisons(stage: 'curves' | 'sigma', groups: readonly CurveGroup[]): Comparison[] {
  const out: Comparison[] = [];
  for (const none of groups) {
    if (none.net.batchNorm) continue;
    const bn = groups.find((g) => sameExceptBatchNorm(none, g));
    if (!bn) continue;
    const depth = depthLabel(none.net);
    const init = isSigmaGroup(none) ? `σ = ${formatSigma(none.sigma)}` : initLabel(none.net);
    out.push(
      compare(
        { stage, factor: 'batch norm', subject: `${depth}, ${init}`, actor: 'batch norm', object: depth, context: `with ${init}` },
        groupSample(none),
        groupSample(bn),
      ),
    );
  }
  return out;
}

export function depthWording(stage: Comparison['stage'], shallow: NetSpec, deep: NetSpec, context: string): Wording {
  const [s, d] = [shallow.hidden.length + 1, deep.hidden.length + 1];
  return { stage, factor: 'depth', subject: `${s} → ${d} layers, ${bnLabel(shallow)}`, actor: `going from ${s} to ${d} layers`, object: '', context };
}

/** The shallowest against the deepest net, for each batch-norm setting (a = shallow, b = deep). */
export function depthComparisons(groups: readonly CurveGroup[]): Comparison[] {
  const out: Comparison[] = [];
  for (const batchNorm of [false, true]) {
    const same = groups.filter((g) => g.net.batchNorm === batchNorm && !isSigmaGroup(g));
    if (same.length < 2) continue;
    const sorted = [...same].sort((x, y) => x.net.hidden.length - y.net.hidden.length);
    const [shallow, deep] = [sorted[0], sorted[sorted.length - 1]];
    if (shallow.net.hidden.length === deep.net.hidden.length) continue;
    const context = `${batchNorm ? 'with' : 'without'} batch norm, with ${initLabel(shallow.net)}`;
    out.push(compare(depthWording('curves', shallow.net, deep.net, context), groupSample(shallow), groupSample(deep)));
  }
  return out;
}
