// From a merged, schema-valid document (built-in defaults ← base file ← profile) to the ResolvedStudy,
// with the checks a schema cannot express (ranges, cross-references between keys, the stage graph).
// Each stage is resolved by its kind's module (kinds/registry.ts). Problems carry their path in the
// merged document; the caller finds where in the file they came from.
import { TRAINING_OPTIONS, type Init } from '@bnlab/engine';
import { KINDS, kindOf } from '../kinds/registry.js';
import type { ResolveContext } from '../kinds/kind.js';
import { closest, didYouMean } from './errors.js';
import { deepMerge, type Plain } from './merge.js';
import { STUDY_OPTIONS, studyOption, studyValueError } from './options.js';
import { validateFragment, type PathSegment } from './schema.js';
import type { Dataset, Executor, Net, ResolvedStage, ResolvedStudy, Training } from './types.js';

export interface SemanticProblem {
  /** Candidate paths in the merged document, most specific first: the first one the file sets is reported. */
  paths: PathSegment[][];
  message: string;
  /** 'key' points at the key (an unknown key), else at the value. */
  at?: 'key' | 'value';
}

/** Input dimensions of each data set (the gradient check's `dims` must fit). */
const DIMENSIONS: Record<Dataset, number> = { cifar10: 3072, 'fashion-mnist': 784 };

/** Target names the Nx project already uses, and the built-in data stage. */
export const RESERVED_STAGE_NAMES = ['data', 'all', 'compile'] as const;

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
  const stagesDoc = (doc.stages ?? {}) as Record<string, Plain>;
  const netTable = defaults.nets as Record<string, number[]>;

  for (const key of ['validation', 'finalValidation'] as const) {
    const v = data[key] as number;
    if (v >= 1 && !Number.isInteger(v)) problem([['data', key]], `${v} is neither a count (an integer) nor a fraction below 1`);
  }

  const training = (stage?: string): Training => {
    const layers: PathSegment[][] = stage ? [['stages', stage, 'training'], ['defaults', 'training']] : [['defaults', 'training']];
    const t = (stage ? deepMerge(defaults.training, stagesDoc[stage].training) : defaults.training) as Plain;
    const at = (key: string) => layers.map((l) => [...l, key]);
    // The one rule between two engine options: a cycle's lowest learning rate is not above its highest.
    if ((t.etaMin as number) > (t.etaMax as number)) {
      problem([...at('etaMax'), ...at('etaMin')], `etaMin ${t.etaMin} > etaMax ${t.etaMax}: the cycle's lowest learning rate must not exceed its highest`);
    }
    if ('nsEpochs' in t && 'nsUpdates' in t) problem(at('nsUpdates'), 'set nsEpochs or nsUpdates, not both');
    const init: Init = t.init === 'he' || t.init === undefined ? { kind: 'he' } : { kind: 'normal', sigma: (t.init as { normal: number }).normal };
    return {
      options: Object.fromEntries(TRAINING_OPTIONS.map((o) => [o.name, (t[o.name] ?? o.default) as number])),
      ns: 'nsUpdates' in t ? { updates: t.nsUpdates as number } : { epochs: t.nsEpochs as number },
      init,
    };
  };
  training(); // defaults.training's own checks, even where every stage overrides it

  // The graph: declared order, each stage after the stages it reads (a cycle is an error).
  const declared = Object.keys(stagesDoc);
  for (const name of declared) {
    if ((RESERVED_STAGE_NAMES as readonly string[]).includes(name)) {
      problem([['stages', name]], `'${name}' is a built-in target; give the stage another name`);
    }
  }
  const kindName = (name: string) => stagesDoc[name].kind as string | undefined;
  const reads = (name: string): string[] => {
    const kind = kindOf(kindName(name) ?? '');
    if (!kind) return [];
    if (kind.name === 'report') return declared.filter((s) => s !== name && kindName(s) !== 'report');
    return kind.from(stagesDoc[name]);
  };
  for (const name of declared) {
    const k = kindName(name);
    if (k === undefined) problem([['stages', name]], `missing 'kind' (${KINDS.map((x) => x.name).join(', ')})`);
    else if (!kindOf(k)) problem([['stages', name, 'kind']], `unknown kind '${k}'${didYouMean(k, KINDS.map((x) => x.name))}; kinds: ${KINDS.map((x) => x.name).join(', ')}`);
  }
  const reports = declared.filter((s) => kindName(s) === 'report');
  for (const extra of reports.slice(1)) problem([['stages', extra, 'kind']], `a study has one report stage ('${reports[0]}' is one already)`);

  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      problem([['stages', name, 'from'], ['stages', name]], `the stages read each other in a cycle: ${cycle.join(' → ')}`);
      return;
    }
    state.set(name, 'visiting');
    for (const up of reads(name)) if (up in stagesDoc) visit(up, [...trail, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of declared) visit(name, []);

  const resolved = new Map<string, ResolvedStage>();
  for (const name of order) {
    const raw = stagesDoc[name];
    const kind = kindOf(kindName(name) ?? '');
    if (!kind) continue;
    const base: PathSegment[] = ['stages', name];
    const problemAt = (keys: PathSegment[] | PathSegment[][], message: string) => {
      const lists = (keys.length > 0 && Array.isArray(keys[0]) ? keys : [keys]) as PathSegment[][];
      problem(lists.map((k) => [...base, ...k]), message);
    };
    // The kind's own keys, checked against its schema fragment (a profile's overrides are only checked here).
    for (const p of validateFragment(`kind-${kind.name}`, raw)) problems.push({ paths: [[...base, ...p.path]], message: p.message, at: p.at });
    const ctx: ResolveContext = {
      stage: name,
      problem: problemAt,
      training: () => training(name),
      defaultTraining: () => training(),
      netNames: Object.keys(netTable),
      net: (netName, batchNorm, keys): Net => {
        if (netName in netTable) return { name: netName, hidden: [...netTable[netName]], batchNorm };
        problemAt(keys, `unknown net '${netName}'${didYouMean(netName, Object.keys(netTable))}: defaults.nets defines ${Object.keys(netTable).join(', ') || 'none'}`);
        return { name: netName, hidden: [], batchNorm };
      },
      netTable: (names) => Object.fromEntries(names.filter((n) => n in netTable).map((n) => [n, [...netTable[n]]])),
      checkOption: (option, keys) => {
        if (studyOption(option)) return true;
        const near = closest(option, STUDY_OPTIONS.map((o) => o.name));
        problemAt(keys, `unknown option '${option}'${near ? ` (did you mean '${near}'?)` : ''}; options: ${STUDY_OPTIONS.map((o) => o.name).join(', ')}`);
        return false;
      },
      checkValue: (option, value, keys) => {
        const o = studyOption(option);
        if (!o) return false;
        const why = studyValueError(o, value, Object.keys(netTable));
        if (why !== null) problemAt(keys, `${JSON.stringify(value)} is not a valid ${option}: ${why}`);
        return why === null;
      },
      from: (up, keys, keeps) => {
        if (!(up in stagesDoc)) {
          problemAt(keys, `no stage '${up}'${didYouMean(up, declared.filter((s) => s !== name))}; stages: ${declared.join(', ')}`);
          return undefined;
        }
        const upKind = kindOf(kindName(up) ?? '');
        if (keeps && upKind && !upKind.keeps) {
          const keeping = KINDS.filter((k) => k.keeps).map((k) => k.name).join(' or ');
          problemAt(keys, `'${up}' is a ${upKind.name} stage, which keeps no values: read a ${keeping} stage`);
          return undefined;
        }
        return resolved.get(up);
      },
      dimensions: DIMENSIONS[data.dataset as Dataset],
    };
    const settings = kind.resolve(raw, ctx);
    const ups = reads(name).filter((s) => s in stagesDoc);
    resolved.set(name, { name, kind: kind.name, dependsOn: kind.readsData ? ['data', ...ups] : ups, settings });
  }

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
    stages: order.filter((s) => resolved.has(s)).map((s) => resolved.get(s)!),
  };
  return { study, problems };
}
