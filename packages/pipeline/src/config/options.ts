// The options a stage can set, vary (grid), draw (search) or refine: the engine's training options
// (TRAINING_OPTIONS, the one list of them) plus the few the pipeline owns, declared here once: which
// net, batch norm or not, the initial σ and the half-cycle length. Schema, validation and the
// report's labels all come from these two lists; no option name is written anywhere else.
import { optionValueError, TRAINING_OPTIONS, type OptionValue, type TrainingOption } from '@bnlab/engine';

/** An option of the study: an engine option or a pipeline one (same shape; pipeline ones have no flag). */
export type StudyOption = Omit<TrainingOption, 'flag' | 'default'> & {
  readonly default?: OptionValue;
  /** 'net': a name from defaults.nets. */
  readonly pipeline?: 'net' | 'batchNorm' | 'sigma' | 'nsEpochs' | 'nsUpdates';
};

/** The pipeline's own options (not the engine's): how a trial's net, initialisation and n_s are chosen. */
export const PIPELINE_OPTIONS: readonly StudyOption[] = [
  { name: 'net', pipeline: 'net', type: 'choice', label: 'net', description: 'a net named in defaults.nets' },
  { name: 'batchNorm', pipeline: 'batchNorm', type: 'boolean', label: 'batch norm', description: 'batch norm after every hidden layer or not' },
  {
    name: 'sigma', pipeline: 'sigma', type: 'number', exclusiveMinimum: 0, maximum: 100, label: 'σ',
    description: 'every weight drawn from N(0, σ²) instead of He initialisation',
  },
  {
    name: 'nsEpochs', pipeline: 'nsEpochs', type: 'integer', minimum: 1, maximum: 10000, default: 5, label: 'n_s (epochs)',
    description: 'half-cycle n_s in epochs: n_s = nsEpochs × ⌊n_train / batch⌋ updates',
  },
  { name: 'nsUpdates', pipeline: 'nsUpdates', type: 'integer', minimum: 1, maximum: 10000000, label: 'n_s (updates)', description: 'half-cycle n_s as a number of updates' },
];

/** Every option a grid may vary or a search draw, engine options first. */
export const STUDY_OPTIONS: readonly StudyOption[] = [...TRAINING_OPTIONS, ...PIPELINE_OPTIONS];

export function studyOption(name: string): StudyOption | undefined {
  return STUDY_OPTIONS.find((o) => o.name === name);
}

/** Why `value` is not a valid value of `o` (a phrase), or null. Net names are checked against the study's nets. */
export function studyValueError(o: StudyOption, value: unknown, nets: readonly string[]): string | null {
  if (o.pipeline === 'net') return typeof value === 'string' && nets.includes(value) ? null : `must be a net of defaults.nets (${nets.join(', ')})`;
  return optionValueError({ ...o, flag: '', default: o.default ?? 0 } as TrainingOption, value);
}

/** The option's numeric range as [lo, hi] (inclusive or exclusive bounds alike), for clipping and edge checks. */
export function optionRange(o: StudyOption): { lo: number; hi: number; loExclusive: boolean; hiExclusive: boolean } {
  return {
    lo: o.minimum ?? o.exclusiveMinimum ?? -Infinity,
    hi: o.maximum ?? o.exclusiveMaximum ?? Infinity,
    loExclusive: o.minimum === undefined && o.exclusiveMinimum !== undefined,
    hiExclusive: o.maximum === undefined && o.exclusiveMaximum !== undefined,
  };
}

/** A value as the report and trial labels show it: net names as given, batch norm as BN / no BN, numbers shortest. */
export function formatValue(name: string, value: OptionValue): string {
  if (name === 'batchNorm') return value ? 'BN' : 'no BN';
  if (typeof value === 'number') {
    // Drawn values are shown with 4 significant digits; declared ones (0.1, 1e-3) as written.
    const v = Number(value.toPrecision(4));
    return Number.isInteger(v) || (Math.abs(v) >= 1e-2 && Math.abs(v) < 1e4) ? String(v) : v.toExponential();
  }
  return String(value);
}

/** "σ = 1e-3", "3-layer", "BN": one varied value, for group names. */
export function valueLabel(name: string, value: OptionValue): string {
  const o = studyOption(name);
  if (name === 'net' || name === 'batchNorm') return formatValue(name, value);
  const named = o && 'choiceLabels' in o ? o.choiceLabels?.[String(value)] : undefined;
  if (named !== undefined) return named;
  return `${o?.label ?? name} = ${formatValue(name, value)}`;
}

/** The JSON Schema of a training block: one property per engine option, plus n_s and init (generated into experiments.schema.json). */
export function trainingSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const o of TRAINING_OPTIONS) properties[o.name] = { description: `${capitalize(o.description)}.`, ...valueSchema(o) };
  for (const o of PIPELINE_OPTIONS) {
    if (o.pipeline === 'nsEpochs' || o.pipeline === 'nsUpdates') {
      properties[o.name] = { description: `${capitalize(o.description)}. Setting it replaces an inherited ${o.pipeline === 'nsEpochs' ? 'nsUpdates' : 'nsEpochs'}.`, ...valueSchema(o) };
    }
  }
  properties.init = {
    description: 'Weight initialisation: he, or {normal: σ} for N(0, σ²).',
    errorMessage: 'must be he or a mapping {normal: σ} with σ > 0',
    anyOf: [
      { const: 'he' },
      { type: 'object', additionalProperties: false, required: ['normal'], properties: { normal: { type: 'number', exclusiveMinimum: 0 } } },
    ],
  };
  return {
    description: 'Training hyper-parameters (cyclic learning rate, mini-batch SGD with L2), generated from the engine\'s option list. A stage\'s training keys override defaults.training.',
    type: 'object',
    additionalProperties: false,
    properties,
  };
}

/** defaults.training when experiments.yaml sets none: every engine option's default, n_s = 5 epochs, He init. */
export function trainingDefaults(): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(TRAINING_OPTIONS.map((o) => [o.name, o.default]));
  for (const o of PIPELINE_OPTIONS) if (o.pipeline === 'nsEpochs') out[o.name] = o.default;
  out.init = 'he';
  return out;
}

/** The JSON Schema of one value of `o`. */
export function valueSchema(o: StudyOption): Record<string, unknown> {
  switch (o.type) {
    case 'boolean':
      return { type: 'boolean' };
    case 'choice':
      return o.choices ? { enum: [...o.choices] } : { type: 'string' };
    default: {
      const s: Record<string, unknown> = { type: o.type };
      for (const k of ['minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum'] as const) if (o[k] !== undefined) s[k] = o[k];
      // A value out of range is told what the option is (ajv's "must be <= 1000" alone does not say).
      if (o.description) s.limitHint = o.description;
      return s;
    }
  }
}

/** A sentence's first letter capitalised; a symbol (ε, λ, η) stays as it is. */
function capitalize(s: string): string {
  return /^[a-z]/.test(s) ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}
