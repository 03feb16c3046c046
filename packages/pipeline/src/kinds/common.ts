// What several kinds share: schema fragments (seeds, a net, a preparation), the result shapes of a
// trial's figures, and reading a stage's `training:` and net keys.
import type { OptionValue } from '@bnlab/engine';
import type { NetSpec, Split3, TrainResult } from '@bnlab/report';
import type { Plain } from '../config/merge.js';
import { formatValue, studyOption } from '../config/options.js';
import type { Training } from '../config/types.js';
import type { ResolveContext } from './kind.js';
import { seedList, type Setup } from '../stages/trials.js';

export const SEEDS_SCHEMA = {
  description: 'Seeds: a count n (seeds 1..n) or a list of seeds.',
  errorMessage: 'must be a count from 1 to 1000 or a list of at most 1000 distinct seeds from 0 to 4294967295 (the reference ran 1 seed, its final stage 20)',
  anyOf: [
    { type: 'integer', minimum: 1, maximum: 1000 },
    { type: 'array', items: { type: 'integer', minimum: 0, maximum: 4294967295 }, minItems: 1, maxItems: 1000, uniqueItems: true },
  ],
};
export const TRAINING_SCHEMA = { $ref: '#/definitions/training', description: "Overrides of defaults.training for this stage's trials." };
export const NET_SCHEMA = { description: 'A net named in defaults.nets.', type: 'string' };
export const BATCH_NORM_SCHEMA = { description: 'With batch norm or not.', type: 'boolean' };
export const NET_LIST_SCHEMA = { description: 'Nets named in defaults.nets.', type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 100, uniqueItems: true, limitHint: 'each net is a trial per seed' };
export const BATCH_NORM_LIST_SCHEMA = {
  description: 'With and/or without batch norm: every listed net is run with each value.',
  type: 'array', items: { type: 'boolean' }, minItems: 1, uniqueItems: true,
};
export const SEED_SCHEMA = { type: 'integer', minimum: 0, maximum: 4294967295, limitHint: 'a 32-bit seed' };
export const PREPARATION_SCHEMA = {
  description: "The data preparation the trials train on: main (validation = data.validation) or final (data.finalValidation).",
  enum: ['main', 'final'],
};
export const FROM_SCHEMA = { description: 'The stage whose kept values this one starts from.', type: 'string' };

/** The stage's `seeds` (a count or a list) as a list; `fallback` when absent. */
export function seedsOf(raw: Plain, fallback: number | number[] = 1): number[] {
  return seedList((raw.seeds as number | number[] | undefined) ?? fallback);
}

/** The stage's base setup: its `net` (default the first of defaults.nets) and `batchNorm` (default false), its training. */
export function baseSetup(raw: Plain, ctx: ResolveContext): Setup {
  const name = (raw.net as string | undefined) ?? ctx.netNames[0] ?? '';
  return { net: ctx.net(name, (raw.batchNorm as boolean | undefined) ?? false, ['net']), training: ctx.training() };
}

/** A trial's figures as a search or evaluation keeps them (no history). */
export interface Figures {
  seed: number;
  hash: string;
  accuracy: Split3;
  cost: Split3;
  diverged: boolean;
}

export function figures(seed: number, hash: string, r: TrainResult): Figures {
  return { seed, hash, accuracy: r.accuracy, cost: r.cost, diverged: r.diverged };
}

/** A drawn trial: its option values and figures. */
export interface DrawnTrial extends Figures {
  values: Record<string, OptionValue>;
}

export function netSpecOf(s: Setup): NetSpec & { name: string } {
  return { name: s.net.name, hidden: [...s.net.hidden], batchNorm: s.net.batchNorm, init: s.training.init };
}

/** "λ = 3.7e-3, η_max = 0.1": the drawn values of a trial, shown. */
export function valuesText(values: Record<string, OptionValue>): string {
  return Object.entries(values)
    .map(([k, v]) => `${studyOption(k)?.label ?? k} = ${formatValue(k, v)}`)
    .join(', ');
}

/** The settings a training stage started from, by the report's column labels (from the option lists). */
export function settingsColumns(t: Training): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(t.options)) out[studyOption(name)?.label ?? name] = formatValue(name, value);
  out.n_s = 'updates' in t.ns ? `${t.ns.updates} updates` : `${t.ns.epochs} epochs`;
  out.init = t.init.kind === 'he' ? 'He' : `N(0, ${formatValue('sigma', t.init.sigma)}²)`;
  return out;
}

