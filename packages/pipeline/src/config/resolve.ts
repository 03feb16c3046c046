// From a merged, schema-valid document (built-in defaults ← base file ← profile) to the ResolvedStudy,
// with the checks a schema cannot express (ranges, cross-references between keys). Problems carry
// their path in the merged document; the caller finds where in the file they came from.
import { closest } from './errors.js';
import { deepMerge, type Plain } from './merge.js';
import type { PathSegment } from './schema.js';
import type { Dataset, Executor, Init, Net, ResolvedStudy, SearchTraining, Stages, Training } from './types.js';

export interface SemanticProblem {
  /** Candidate paths in the merged document, most specific first: the first one the file sets is reported. */
  paths: PathSegment[][];
  message: string;
}

/** Input dimensions of each data set (the gradient check's `dims` must fit). */
const DIMENSIONS: Record<Dataset, number> = { cifar10: 3072, 'fashion-mnist': 784 };

/** Throws nothing: returns the study and every problem found (the study is only trustworthy when there are none). */
export function resolveDocument(
  doc: Plain,
  profile: string,
  profiles: string[],
  env: Record<string, string | undefined>,
): { study: ResolvedStudy; problems: SemanticProblem[] } {
  const problems: SemanticProblem[] = [];
  const problem = (paths: PathSegment[][], message: string) => problems.push({ paths, message });

  const data = doc.data as Plain;
  const defaults = doc.defaults as Plain;
  const stagesDoc = doc.stages as Record<string, Plain>;
  const netTable = defaults.nets as Record<string, number[]>;

  for (const key of ['validation', 'finalValidation'] as const) {
    const v = data[key] as number;
    if (v >= 1 && !Number.isInteger(v)) problem([['data', key]], `${v} is neither a count (an integer) nor a fraction below 1`);
  }

  const training = (stage?: string): Training => {
    const layers: PathSegment[][] = stage ? [['stages', stage, 'training'], ['defaults', 'training']] : [['defaults', 'training']];
    const t = (stage ? deepMerge(defaults.training, stagesDoc[stage].training) : defaults.training) as Plain;
    const at = (key: string) => layers.map((l) => [...l, key]);
    if ((t.etaMin as number) > (t.etaMax as number)) {
      problem([...at('etaMax'), ...at('etaMin')], `etaMin ${t.etaMin} > etaMax ${t.etaMax}: the cycle's lowest learning rate must not exceed its highest`);
    }
    if ('nsEpochs' in t && 'nsUpdates' in t) problem(at('nsUpdates'), 'set nsEpochs or nsUpdates, not both');
    const init: Init = t.init === 'he' ? { kind: 'he' } : { kind: 'normal', sigma: (t.init as { normal: number }).normal };
    return {
      lambda: t.lambda as number,
      etaMin: t.etaMin as number,
      etaMax: t.etaMax as number,
      batch: t.batch as number,
      ns: 'nsUpdates' in t ? { updates: t.nsUpdates as number } : { epochs: t.nsEpochs as number },
      cycles: t.cycles as number,
      pointsPerCycle: t.pointsPerCycle as number,
      init,
      eps: t.eps as number,
    };
  };
  const searchTraining = (stage: string): SearchTraining => {
    const { lambda: _unused, ...rest } = training(stage);
    return rest;
  };

  const knownNet = (name: string, path: PathSegment[]): boolean => {
    if (name in netTable) return true;
    const near = closest(name, Object.keys(netTable));
    const hint = near !== undefined ? ` (did you mean '${near}'?)` : '';
    problem([path], `unknown net '${name}'${hint}: defaults.nets defines ${Object.keys(netTable).join(', ') || 'none'}`);
    return false;
  };
  const netList = (stage: string): Net[] => {
    const s = stagesDoc[stage];
    const names = s.nets as string[];
    const bns = s.batchNorm as boolean[];
    return names.flatMap((name, i) =>
      knownNet(name, ['stages', stage, 'nets', i]) ? bns.map((batchNorm) => ({ name, hidden: [...netTable[name]], batchNorm })) : [],
    );
  };
  const oneNet = (name: string, batchNorm: boolean, path: PathSegment[]): Net => ({
    name,
    hidden: knownNet(name, path) ? [...netTable[name]] : [],
    batchNorm,
  });
  const seeds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  const gc = stagesDoc.gradcheck;
  const dims = DIMENSIONS[data.dataset as Dataset];
  if ((gc.dims as number) > dims) problem([['stages', 'gradcheck', 'dims'], ['data', 'dataset']], `${gc.dims} > ${dims}, the input dimensions of ${data.dataset}`);

  const co = stagesDoc.coarse;
  const [uMin, uMax] = co.exponents as [number, number];
  if (!(uMin < uMax)) {
    problem([['stages', 'coarse', 'exponents']], `empty range [${uMin}, ${uMax}]: the first exponent must be below the second`);
  }
  if ((co.keep as number) > (co.samples as number)) {
    problem([['stages', 'coarse', 'keep'], ['stages', 'coarse', 'samples']], `keeps ${co.keep} of ${co.samples} samples: keep at most samples`);
  }
  const coarseNet = oneNet(co.net as string, co.batchNorm as boolean, ['stages', 'coarse', 'net']);

  const fi = stagesDoc.fine;
  const fineNet =
    fi.net === undefined
      ? { ...coarseNet, hidden: [...coarseNet.hidden], batchNorm: (fi.batchNorm as boolean | undefined) ?? coarseNet.batchNorm }
      : oneNet(fi.net as string, (fi.batchNorm as boolean | undefined) ?? coarseNet.batchNorm, ['stages', 'fine', 'net']);

  const fa = stagesDoc.final;
  const si = stagesDoc.sigma;
  const stages: Stages = {
    gradcheck: {
      nets: netList('gradcheck'),
      threshold: gc.threshold as number,
      h: gc.h as number,
      dims: gc.dims as number,
      samples: gc.samples as number,
      lambda: gc.lambda as number,
      eps: training().eps,
      seed: gc.seed as number,
    },
    curves: { nets: netList('curves'), seeds: seeds(stagesDoc.curves.seeds as number), training: training('curves') },
    coarse: {
      net: coarseNet,
      exponentMin: uMin,
      exponentMax: uMax,
      samples: co.samples as number,
      seed: co.seed as number,
      trialSeed: co.trialSeed as number,
      keep: co.keep as number,
      training: searchTraining('coarse'),
    },
    fine: {
      net: fineNet,
      samplesPerCentre: fi.samplesPerCentre as number,
      halfWidth: fi.halfWidth as number,
      floor: fi.floor as number,
      seed: fi.seed as number,
      trialSeed: fi.trialSeed as number,
      training: searchTraining('fine'),
    },
    final: {
      nets: netList('final'),
      seeds: seeds(fa.runs as number),
      preparation: fa.preparation as 'final' | 'main',
      training: searchTraining('final'),
    },
    sigma: { sigmas: [...(si.sigmas as number[])], nets: netList('sigma'), seeds: seeds(si.seeds as number), training: training('sigma') },
    report: { title: stagesDoc.report.title as string },
  };
  training(); // defaults.training's own checks, even where every stage overrides it

  const ex = doc.executor as Plain;
  let executor: Executor = { kind: 'local' };
  if (env.BNLAB_QUEUE) executor = { kind: 'queue', url: env.BNLAB_QUEUE };
  else if (ex.kind === 'queue') {
    if (typeof ex.url === 'string') executor = { kind: 'queue', url: ex.url };
    else problem([['executor', 'kind']], "kind is 'queue' but executor.url is not set (redis://host:port or a socket path)");
  }

  const study: ResolvedStudy = {
    profile,
    profiles,
    data: {
      dataset: data.dataset as Dataset,
      ...(typeof data.dir === 'string' ? { dir: data.dir } : {}),
      validation: data.validation as number,
      finalValidation: data.finalValidation as number,
    },
    kernel: defaults.kernel as string,
    ...(typeof ex.workers === 'number' ? { workers: ex.workers } : {}),
    executor,
    stages,
  };
  return { study, problems };
}
