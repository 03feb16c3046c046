// Study-wide limits, checked by `bnlab plan` and `bnlab run` before any work: each setting has its own
// maximum in the schema, but sane settings can still multiply into an absurd study (50 000 λ draws of
// a million updates each). One line per breach, naming the stage, the settings that multiply and what
// the limit is; the numbers are upper bounds computed from the configuration alone (no data read).
import { DEFAULT_WASM_MEMORY_BYTES } from '@bnlab/engine';
import type { ResolvedStudy } from '../config/types.js';
import { BnlabError } from '../errors.js';
import { configuredTrialCount } from './plan.js';
import { isTrainingStage, stageKindModule } from './run-stage.js';
import { nsUpdates } from './trials.js';
import type { StageEnv } from './context.js';

/** Trials a study may plan (the default study plans 320). */
export const MAX_TRIALS = 100_000;
/** Parameter updates a study may plan, summed over its trials (the default study: about 0.3 M). */
export const MAX_UPDATES = 1e9;
/** Bytes one trial's network may need: what a WebAssembly kernel reserves. */
export const MAX_TRIAL_BYTES = DEFAULT_WASM_MEMORY_BYTES;

/** Training records of the largest data set bnlab reads (an upper bound for epochs → updates). */
const MAX_TRAIN = { cifar10: 50_000, 'fashion-mnist': 60_000 } as const;
const INPUT = { cifar10: 3072, 'fashion-mnist': 784 } as const;
const CLASSES = 10;

/**
 * The nets a stage's resolved settings name, whatever the kind: every object with hidden widths, and
 * every table of net name → widths (a grid's or search's `nets`, an evaluate's `fromNets`).
 */
export function netsIn(settings: unknown, out: { name: string; hidden: number[] }[] = []): { name: string; hidden: number[] }[] {
  const widths = (v: unknown): v is number[] => Array.isArray(v) && v.every((w) => typeof w === 'number');
  if (Array.isArray(settings)) for (const x of settings) netsIn(x, out);
  else if (settings !== null && typeof settings === 'object') {
    const o = settings as Record<string, unknown>;
    if (widths(o.hidden)) out.push({ name: String(o.name ?? '?'), hidden: o.hidden });
    else {
      for (const [k, v] of Object.entries(o)) {
        if ((k === 'nets' || k === 'fromNets') && v !== null && typeof v === 'object' && !Array.isArray(v)) {
          for (const [name, hidden] of Object.entries(v)) if (widths(hidden)) out.push({ name, hidden });
        } else netsIn(v, out);
      }
    }
  }
  return out;
}

/**
 * An upper bound of one trial's memory: parameters with their gradients and momentum-free SGD state
 * (4 float32 copies incl. batch-norm parameters), and per-layer activations of a batch kept for the
 * backward pass (about 8 float32 arrays per unit).
 */
export function trialBytes(net: { hidden: number[] }, input: number, batch: number): number {
  const widths = [input, ...net.hidden, CLASSES];
  let params = 0;
  for (let i = 1; i < widths.length; i++) params += widths[i - 1] * widths[i] + 3 * widths[i];
  const units = widths.reduce((a, w) => a + w, 0);
  return 4 * (4 * params + 8 * batch * units);
}

/** Every breached limit, one line each (empty when the study is sane). */
export function studyLimitProblems(study: ResolvedStudy): string[] {
  const problems: string[] = [];
  let trials = 0;
  let updates = 0;
  const byStage: string[] = [];
  const env = { study } as StageEnv;
  for (const { name: stage } of study.stages) {
    if (!isTrainingStage(env, stage)) continue;
    const n = configuredTrialCount(env, stage);
    const { stage: resolved, kind } = stageKindModule(env, stage);
    const training = kind.training?.(resolved.settings);
    if (training === undefined) continue;
    const nets = netsIn(resolved.settings);
    const perTrial = 2 * nsUpdates(training, MAX_TRAIN[study.data.dataset]) * (training.options.cycles as number);
    trials += n;
    updates += n * perTrial;
    byStage.push(`${stage} ${n} × ${perTrial}`);
    for (const net of nets) {
      const bytes = trialBytes(net, INPUT[study.data.dataset], (training.options.batch as number));
      if (bytes > MAX_TRIAL_BYTES) {
        problems.push(
          `stages.${stage}: net '${net.name}' [${net.hidden.join(', ')}] with batch ${(training.options.batch as number)} needs about ${Math.round(bytes / 2 ** 20)} MiB per trial; ` +
            `the limit is ${MAX_TRIAL_BYTES / 2 ** 20} MiB, a kernel's memory (narrower layers in defaults.nets, or a smaller (training.options.batch as number))`,
        );
      }
    }
  }
  if (trials > MAX_TRIALS) {
    problems.push(`the study plans ${trials} trials; the limit is ${MAX_TRIALS} (fewer seeds, samples or varied values in stages)`);
  }
  if (updates > MAX_UPDATES) {
    problems.push(
      `the study plans up to ${updates.toExponential(2)} updates (trials × updates per trial: ${byStage.join(', ')}); the limit is ${MAX_UPDATES.toExponential(0)} ` +
        '(fewer trials, or smaller training.nsEpochs/nsUpdates and cycles)',
    );
  }
  return problems;
}

/** Throws one error listing every breached limit of the profile. */
export function checkStudyLimits(study: ResolvedStudy, configFile: string): void {
  const problems = studyLimitProblems(study);
  if (problems.length === 0) return;
  throw new BnlabError(problems.map((p) => `${configFile}: profile '${study.profile}': ${p}`).join('\n'));
}
