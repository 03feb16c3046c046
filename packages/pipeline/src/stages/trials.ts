// From a stage's settings to trial specs: a base (net + training) with option values applied, the
// engine's training configuration of one run, and the identity (configuration, preparation, data
// fingerprint, engine) that names its record. The identity is the same whichever kind planned the
// trial, so a trial two stages (or two profiles) ask for is trained once.
import { normalizeTrainConfig, TRAINING_OPTIONS, type OptionValue, type TrainConfig } from '@bnlab/engine';
import type { NetSpec, Preparation } from '@bnlab/report';
import { studyOption } from '../config/options.js';
import type { Net, Training } from '../config/types.js';
import type { TrialSpec } from '../trials/executor.js';
import { trialSpec } from '../trials/identity.js';
import type { StageEnv } from './context.js';
import { preparationData } from './data.js';

/** What one trial trains: a net and its training settings (seed aside). */
export interface Setup {
  net: Net;
  training: Training;
}

/**
 * `base` with `values` applied: an engine option sets training.options, `net` the architecture (from
 * `nets`), `batchNorm` the net's, `sigma` the initialisation N(0, σ²), nsEpochs / nsUpdates the half-cycle.
 */
export function applyValues(base: Setup, values: Record<string, OptionValue>, nets: Record<string, number[]>): Setup {
  const net: Net = { ...base.net, hidden: [...base.net.hidden] };
  const training: Training = { options: { ...base.training.options }, ns: base.training.ns, init: base.training.init };
  for (const [name, value] of Object.entries(values)) {
    const o = studyOption(name);
    switch (o?.pipeline) {
      case 'net':
        net.name = value as string;
        net.hidden = [...nets[value as string]];
        break;
      case 'batchNorm':
        net.batchNorm = value as boolean;
        break;
      case 'sigma':
        training.init = { kind: 'normal', sigma: value as number };
        break;
      case 'nsEpochs':
        training.ns = { epochs: value as number };
        break;
      case 'nsUpdates':
        training.ns = { updates: value as number };
        break;
      default:
        if (!o) throw new Error(`unknown option '${name}'`);
        training.options[name] = value;
    }
  }
  return { net, training };
}

export function netSpec(s: Setup): NetSpec {
  return { hidden: [...s.net.hidden], batchNorm: s.net.batchNorm, init: s.training.init };
}

/** n_s in updates: given, or epochs × ⌊n_train / batch⌋ on the preparation the trial trains on. */
export function nsUpdates(t: Training, nTrain: number): number {
  if ('updates' in t.ns) return t.ns.updates;
  return Math.max(1, Math.round(t.ns.epochs * Math.floor(nTrain / (t.options.batch as number))));
}

/** The engine's training configuration of one run, normalised (what the trial hash covers). */
export function trainConfig(s: Setup, seed: number, nTrain: number): Record<string, unknown> {
  const options = Object.fromEntries(TRAINING_OPTIONS.map((o) => [o.name, s.training.options[o.name]]));
  const config = { ...options, hidden: [...s.net.hidden], batchNorm: s.net.batchNorm, init: s.training.init, ns: nsUpdates(s.training, nTrain), seed };
  return { ...normalizeTrainConfig(config as unknown as TrainConfig) };
}

/** One trial of `setup` with `seed` on preparation `prep`. */
export function makeTrial(env: StageEnv, prep: Preparation, setup: Setup, seed: number, label: string): TrialSpec {
  return trialSpec(
    { config: trainConfig(setup, seed, prep.splits.train), preparation: prep.name, dataFingerprint: prep.fingerprint, engine: env.engine },
    label,
    preparationData(env.study, prep.name),
  );
}

export function preparation(data: { preparations: Preparation[] }, name: string): Preparation {
  const p = data.preparations.find((x) => x.name === name);
  if (!p) throw new Error(`the data result has no preparation '${name}' (has ${data.preparations.map((x) => x.name).join(', ')})`);
  return p;
}

/** Seeds 1..n for a count, the list as given otherwise. */
export function seedList(seeds: number | number[]): number[] {
  return typeof seeds === 'number' ? Array.from({ length: seeds }, (_, i) => i + 1) : [...seeds];
}
