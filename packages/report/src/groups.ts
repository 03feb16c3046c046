// Labels and summaries of trained configurations: the labels the charts use and accuracies over seeds
// (factors.ts compares them).
import type { CurveGroup, NetSpec, SigmaGroup, Split3 } from './results.js';
import { sigma as formatSigma } from './format.js';
import { summarize, type Summary } from './stats.js';

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
