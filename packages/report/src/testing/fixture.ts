// A small, synthetic but well-formed StudyResults for the report's tests: every stage present,
// several seeds, one diverged search trial, a zero gradient-check error, a group stuck at chance.
// Deterministic (its own tiny RNG), so golden files stay put.
import type {
  CoarseStageResult, CurveGroup, CurvesStageResult, DataStageResult, FinalRun, FinalStageResult, FineStageResult, GradcheckEntry,
  GradcheckStageResult, HistoryPoint, NetSpec, RunWithHistory, SearchTrial, SigmaGroup, SigmaStageResult, StageHeader, StageName,
} from '../results.js';

/** Every chart input of the reference study at once (the charts' golden files are drawn from it). */
export interface StudyResults {
  profile: string;
  data: DataStageResult;
  gradcheck: GradcheckStageResult;
  curves: CurvesStageResult;
  coarse: CoarseStageResult;
  fine: FineStageResult;
  final: FinalStageResult;
  sigma: SigmaStageResult;
  computeSeconds: Partial<Record<StageName, number>>;
  dataNote: string;
  title?: string;
}

/** mulberry32 (also the soak spec's kill schedule). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const r4 = (x: number) => Math.round(x * 10000) / 10000;
const hex = (n: number) => n.toString(16).padStart(8, '0').repeat(8);

export const SHALLOW = [50, 50];
export const DEEP = [50, 30, 20, 20, 10, 10, 10, 10];

function header<S extends StageName>(stage: S, i: number): StageHeader & { stage: S } {
  return { stage, profile: 'fixture', configHash: hex(0x1000 + i), engine: 'bnlab-engine/1+ts-f64', kernel: 'ts-f64' };
}

function history(random: () => number, level: number, updates: number): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  for (let k = 0; k <= 10; k++) {
    const f = 1 - Math.exp(-k / 3);
    const acc = 0.1 + (level - 0.1) * f;
    const noise = () => (random() - 0.5) * 0.01;
    const trainAcc = r4(acc + 0.03 * f + noise());
    const valAcc = r4(acc + noise());
    const loss = r4(2.3 - 1.0 * f * (level / 0.55) + noise());
    points.push({
      update: (k * updates) / 10,
      epoch: r4((k * updates) / 10 / 45),
      eta: r4(0.00001 + 0.09999 * Math.abs(1 - ((k % 5) / 2.5))),
      cost: { train: r4(loss + 0.15), validation: r4(loss + 0.2) },
      loss: { train: loss, validation: r4(loss + 0.05) },
      accuracy: { train: trainAcc, validation: valAcc },
    });
  }
  return points;
}

function run(random: () => number, seed: number, level: number, stuck: boolean): RunWithHistory {
  const h = stuck
    ? history(() => 0.5, 0.1, 1000).map((p) => ({ ...p, accuracy: { train: 0.1, validation: 0.1 } }))
    : history(random, level, 1000);
  const last = h[h.length - 1];
  const test = stuck ? 0.1 : r4(last.accuracy.validation - 0.01 + (random() - 0.5) * 0.01);
  return {
    seed,
    hash: hex(seed * 7919),
    result: {
      accuracy: { train: last.accuracy.train, validation: last.accuracy.validation, test },
      cost: { train: last.cost.train, validation: last.cost.validation, test: r4(last.cost.validation + 0.01) },
      loss: { train: last.loss.train, validation: last.loss.validation, test: r4(last.loss.validation + 0.01) },
      history: h,
      diverged: false,
    },
  };
}

function net(hidden: number[], batchNorm: boolean, sigma?: number): NetSpec {
  return { hidden, batchNorm, init: sigma === undefined ? { kind: 'he' } : { kind: 'normal', sigma } };
}

function level(hidden: number[], batchNorm: boolean): number {
  if (hidden.length > 2) return batchNorm ? 0.52 : 0.44;
  return batchNorm ? 0.54 : 0.53;
}

function group(random: () => number, seeds: number[], hidden: number[], bn: boolean, sigma?: number): CurveGroup {
  const stuck = sigma !== undefined && hidden.length > 2 && !bn;
  const name = `${hidden.length + 1}-layer, ${bn ? 'BN' : 'no BN'}${sigma === undefined ? '' : `, σ=${sigma}`}`;
  return { name, net: net(hidden, bn, sigma), lambda: 0.005, runs: seeds.map((s) => run(random, s, level(hidden, bn), stuck)) };
}

function searchTrial(random: () => number, lambda: number, seed: number, diverged = false): SearchTrial {
  // Validation accuracy peaks near λ = 4e-3 on a log scale.
  const v = diverged ? 0.1 : r4(0.56 - 0.02 * Math.log10(lambda / 0.004) ** 2 + (random() - 0.5) * 0.004);
  return {
    lambda,
    seed,
    hash: hex(Math.floor(lambda * 1e9) + seed),
    accuracy: { train: diverged ? 0.1 : r4(v + 0.06), validation: v, test: diverged ? 0.1 : r4(v - 0.015) },
    cost: { train: diverged ? NaN : 1.2, validation: diverged ? NaN : 1.4, test: diverged ? NaN : 1.45 },
    diverged,
  };
}

const byValidation = (a: SearchTrial, b: SearchTrial) =>
  Number(a.diverged) - Number(b.diverged) || b.accuracy.validation - a.accuracy.validation;

export interface FixtureOptions {
  /** Seeds per curves/σ group (default 3). */
  seeds?: number;
  /** Runs per final group (default 5). */
  finalRuns?: number;
}

export function studyFixture(options: FixtureOptions = {}): StudyResults {
  const random = rng(42);
  const seeds = Array.from({ length: options.seeds ?? 3 }, (_, i) => i + 1);

  const gradNets = [SHALLOW, DEEP].flatMap((hidden) => [false, true].map((batchNorm) => ({ hidden, batchNorm })));
  const gradcheck: StudyResults['gradcheck'] = {
    ...header('gradcheck', 1),
    threshold: 1e-6,
    h: 1e-5,
    dims: 10,
    samples: 2,
    lambda: 0,
    passed: true,
    nets: gradNets.map(({ hidden, batchNorm }) => {
      const layers = hidden.length + 1;
      const checks: GradcheckEntry[] = [];
      for (let layer = 1; layer <= layers; layer++) {
        const err = () => r4(1 + random() * 8) * 10 ** -(8 + Math.floor(random() * 3));
        checks.push({ parameter: 'W', layer, relativeError: err() });
        if (!batchNorm || layer === layers) checks.push({ parameter: 'b', layer, relativeError: err() });
        if (batchNorm && layer < layers) {
          // A zero error (an exactly matching gradient) must still be drawn on the log axis.
          checks.push({ parameter: 'gamma', layer, relativeError: layer === 1 && hidden.length > 2 ? 0 : err() });
          checks.push({ parameter: 'beta', layer, relativeError: err() });
        }
      }
      return { hidden, batchNorm, passed: true, checks };
    }),
  };

  const curvesGroups = [SHALLOW, DEEP].flatMap((hidden) => [false, true].map((bn) => group(random, seeds, hidden, bn)));

  const coarseLambdas = [3e-5, 1.2e-4, 4.7e-4, 9e-4, 1.5e-3, 2.6e-3, 3.76e-3, 4.18e-3, 7.62e-3, 1.3e-2, 3.4e-2, 8.1e-2];
  const coarseTrials = coarseLambdas.map((l, i) => searchTrial(random, l, 100 + i, i === 11));
  const coarseBest = [...coarseTrials].sort(byValidation).slice(0, 3);

  const centres = coarseBest.map((b, c) => ({
    centre: b.lambda,
    trials: Array.from({ length: 6 }, (_, i) => searchTrial(random, b.lambda + (random() - 0.5) * 0.0005, 200 + 10 * c + i)),
  }));
  const fineBest = centres.flatMap((c) => c.trials).sort(byValidation)[0];

  const finalRuns = options.finalRuns ?? 5;
  const finalGroups = [SHALLOW, DEEP].map((hidden) => {
    const runs: FinalRun[] = Array.from({ length: finalRuns }, (_, i) => {
      const base = hidden.length > 2 ? 0.51 : 0.535;
      return {
        seed: 1000 + i,
        hash: hex(1000 + i + hidden.length),
        accuracy: { train: r4(base + 0.1 + (random() - 0.5) * 0.006), validation: r4(base + 0.013 + (random() - 0.5) * 0.02), test: r4(base + (random() - 0.5) * 0.008) },
        diverged: false,
      };
    });
    const m = (k: 'train' | 'validation' | 'test') => runs.reduce((s, r) => s + r.accuracy[k], 0) / runs.length;
    const sd = (k: 'train' | 'validation' | 'test') =>
      Math.sqrt(runs.reduce((s, r) => s + (r.accuracy[k] - m(k)) ** 2, 0) / (runs.length - 1));
    return {
      name: `${hidden.length + 1}-layer, BN`,
      net: net(hidden, true),
      runs,
      mean: { train: m('train'), validation: m('validation'), test: m('test') },
      std: { train: sd('train'), validation: sd('validation'), test: sd('test') },
    };
  });

  const sigmaGroups: SigmaGroup[] = [0.1, 0.001, 0.0001].flatMap((sigma) =>
    [SHALLOW, DEEP].flatMap((hidden) =>
      [false, true].map((bn) => ({ ...group(random, seeds, hidden, bn, sigma), sigma })),
    ),
  );

  return {
    profile: 'fixture',
    data: {
      ...header('data', 0),
      dataset: 'cifar10',
      classes: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
      dimensions: 3072,
      preparations: [
        { name: 'main', validation: 1000, splits: { train: 4170, validation: 1000, test: 1017 }, fingerprint: hex(0xabc) },
        { name: 'final', validation: 100, splits: { train: 5070, validation: 100, test: 1017 }, fingerprint: hex(0xdef) },
      ],
    },
    gradcheck,
    curves: { ...header('curves', 2), groups: curvesGroups },
    coarse: { ...header('coarse', 3), exponentMin: -5, exponentMax: -1, net: net(SHALLOW, true), cycles: 2, trials: coarseTrials, best: coarseBest },
    fine: { ...header('fine', 4), halfWidth: 0.00025, floor: 1e-6, net: net(SHALLOW, true), cycles: 2, centres, best: fineBest },
    final: { ...header('final', 5), lambda: fineBest.lambda, cycles: 3, groups: finalGroups },
    sigma: { ...header('sigma', 6), groups: sigmaGroups },
    computeSeconds: { gradcheck: 1.5, curves: 312.25, coarse: 95, fine: 1180.5, final: 4000, sigma: 7300 },
    dataNote: 'a synthetic fixture (5170 + 1017 images)',
  };
}
