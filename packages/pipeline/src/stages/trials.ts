// From a stage's settings to trial specs: the engine's training configuration of one run, and the
// identity (configuration, preparation, data fingerprint, engine) that names its record.
import { normalizeTrainConfig } from '@bnlab/engine';
import type { Init, NetSpec, Preparation } from '@bnlab/report';
import type { Net, SearchTraining } from '../config/types.js';
import type { TrialSpec } from '../trials/executor.js';
import { trialSpec } from '../trials/identity.js';
import type { StageEnv } from './context.js';
import { preparationData } from './data.js';

export function netSpec(net: Net, init: Init): NetSpec {
  return { hidden: [...net.hidden], batchNorm: net.batchNorm, init };
}

/** "3-layer, BN" / "9-layer, no BN". */
export function netLabel(net: Net): string {
  return `${net.name}, ${net.batchNorm ? 'BN' : 'no BN'}`;
}

/** n_s in updates: given, or epochs × ⌊n_train / batch⌋ on the preparation the trial trains on. */
export function nsUpdates(t: SearchTraining, nTrain: number): number {
  if ('updates' in t.ns) return t.ns.updates;
  return Math.max(1, Math.round(t.ns.epochs * Math.floor(nTrain / t.batch)));
}

/** The engine's training configuration of one run, every default filled in (what the trial hash covers). */
export function trainConfig(net: NetSpec, t: SearchTraining, lambda: number, seed: number, nTrain: number): Record<string, unknown> {
  return { ...normalizeTrainConfig({
    hidden: [...net.hidden],
    batchNorm: net.batchNorm,
    init: net.init,
    lambda,
    etaMin: t.etaMin,
    etaMax: t.etaMax,
    batch: t.batch,
    ns: nsUpdates(t, nTrain),
    cycles: t.cycles,
    pointsPerCycle: t.pointsPerCycle,
    seed,
  }) };
}

/** One trial of `net` with λ and seed on preparation `prep`. */
export function makeTrial(
  env: StageEnv,
  prep: Preparation,
  net: NetSpec,
  t: SearchTraining,
  lambda: number,
  seed: number,
  label: string,
): TrialSpec {
  return trialSpec(
    { config: trainConfig(net, t, lambda, seed, prep.splits.train), preparation: prep.name, dataFingerprint: prep.fingerprint, engine: env.engine },
    label,
    preparationData(env.study, prep.name),
  );
}

export function preparation(data: { preparations: Preparation[] }, name: string): Preparation {
  const p = data.preparations.find((x) => x.name === name);
  if (!p) throw new Error(`the data result has no preparation '${name}' (has ${data.preparations.map((x) => x.name).join(', ')})`);
  return p;
}

/** λ formatted for labels: 3 significant digits, e.g. 3.79e-4. */
export function fmtLambda(x: number): string {
  return x.toExponential(2);
}
