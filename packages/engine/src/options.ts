// The training options a run can set: one entry per option, the only place its type, range, default,
// neutral value and label are written. The pipeline derives from this list the schema of
// experiments.yaml's training blocks, the flags of `bnlab train` / `bnlab gradcheck`, the validation
// of grid and search values and the report's labels; a new engine option is one entry here plus its math.
//
// Identity: a trial's hash covers its normalised configuration (normalizeTrainConfig). An option is
// left out of it when it cannot change the numbers (`needs` is false for the run: ε without batch
// norm), and an option with a `neutral` value is left out at that value, so adding an option at its
// neutral value moves no existing hash.

export type OptionValue = number | boolean | string;

export interface TrainingOption {
  /** Key in TrainConfig and in experiments.yaml's training blocks. */
  readonly name: string;
  /** The command-line flag (without --). */
  readonly flag: string;
  readonly type: 'number' | 'integer' | 'boolean' | 'choice';
  /** Allowed values of a 'choice'. */
  readonly choices?: readonly string[];
  /** Numeric range: minimum/maximum inclusive, exclusiveMinimum/exclusiveMaximum exclusive. */
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly exclusiveMaximum?: number;
  /** The value when the option is not given. */
  readonly default: OptionValue;
  /** At this value the option is left out of a trial's identity (options added after the first trials). */
  readonly neutral?: OptionValue;
  /** A typical value away from the neutral one: what `bnlab bench` times the option's cost at. */
  readonly example?: OptionValue;
  /**
   * The option only acts on nets with batch norm ('batchNorm') or on data with an image shape
   * ('image': jitter); without batch norm a 'batchNorm' option is left out of the identity.
   */
  readonly needs?: 'batchNorm' | 'image';
  /** Placeholder of the flag's value in help texts (e.g. 'P'); none for a boolean. */
  readonly metavar?: string;
  /** Short label for tables and charts (e.g. 'λ'). */
  readonly label: string;
  /** A choice's label per value, for tables and charts (e.g. 'BN after ReLU'). */
  readonly choiceLabels?: Readonly<Record<string, string>>;
  /** One line: what it is, for help texts and schema descriptions. */
  readonly description: string;
}

/** ε inside batch norm's square root: Matlab's eps (2⁻⁵², ≈ 2.2e-16), as the assignment specifies (see README). */
export const DEFAULT_EPS = Number.EPSILON;
/** Moving averages: avg = α·avg + (1 − α)·batch statistic. */
export const DEFAULT_ALPHA = 0.9;

export const TRAINING_OPTIONS: readonly TrainingOption[] = [
  { name: 'lambda', flag: 'lambda', type: 'number', minimum: 0, maximum: 10, default: 0.005, label: 'λ', metavar: 'L', description: 'L2 regularisation λ of the cost' },
  { name: 'etaMin', flag: 'eta-min', type: 'number', minimum: 0, maximum: 10, default: 1e-5, label: 'η_min', metavar: 'E', description: 'smallest learning rate of the cycle' },
  { name: 'etaMax', flag: 'eta-max', type: 'number', minimum: 0, maximum: 10, default: 0.1, label: 'η_max', metavar: 'E', description: 'largest learning rate of the cycle' },
  { name: 'batch', flag: 'batch', type: 'integer', minimum: 1, maximum: 100000, default: 100, label: 'batch', metavar: 'B', description: 'mini-batch size' },
  { name: 'cycles', flag: 'cycles', type: 'integer', minimum: 1, maximum: 1000, default: 2, label: 'cycles', metavar: 'C', description: 'learning-rate cycles (2·n_s updates each)' },
  { name: 'pointsPerCycle', flag: 'points-per-cycle', type: 'integer', minimum: 1, maximum: 1000, default: 10, label: 'points/cycle', metavar: 'P', description: 'history points recorded per cycle' },
  {
    name: 'eps', flag: 'eps', type: 'number', exclusiveMinimum: 0, maximum: 1, default: DEFAULT_EPS, needs: 'batchNorm', label: 'ε', metavar: 'E',
    description: "ε inside batch norm's √(v + ε), only there to avoid dividing by zero (default Matlab's eps, 2.2e-16)",
  },
  {
    name: 'alpha', flag: 'alpha', type: 'number', minimum: 0, exclusiveMaximum: 1, default: DEFAULT_ALPHA, needs: 'batchNorm', label: 'α', metavar: 'A',
    description: "batch norm's moving-average factor: avg = α·avg + (1 − α)·batch statistic",
  },
  {
    name: 'bnPlacement', flag: 'bn-placement', type: 'choice', choices: ['before', 'after'], default: 'before', neutral: 'before', example: 'after', needs: 'batchNorm',
    label: 'BN placement', choiceLabels: { before: 'BN before ReLU', after: 'BN after ReLU' },
    description: "batch norm on the scores before the ReLU (the assignment's) or on the ReLU's output ('after': the layer keeps its bias)",
  },
  {
    name: 'dropout', flag: 'dropout', type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0, neutral: 0, example: 0.5, label: 'dropout', metavar: 'P',
    description: 'inverted dropout: each hidden unit is zeroed with probability P in training (the rest scaled by 1/(1 − P)), none in evaluation',
  },
  {
    name: 'jitterFlip', flag: 'jitter-flip', type: 'boolean', default: false, neutral: false, example: true, needs: 'image', label: 'flip',
    description: 'flip each training image of a mini-batch horizontally with probability ½',
  },
  {
    name: 'jitterShift', flag: 'jitter-shift', type: 'integer', minimum: 0, maximum: 16, default: 0, neutral: 0, example: 4, needs: 'image', label: 'shift', metavar: 'N',
    description: 'translate each training image by up to N pixels in x and y (edge pixels repeated)',
  },
  {
    name: 'jitterBrightness', flag: 'jitter-brightness', type: 'number', minimum: 0, maximum: 1, default: 0, neutral: 0, example: 0.2, needs: 'image', label: 'brightness', metavar: 'B',
    description: 'add a brightness offset uniform in [−B, B] (pixels in [0, 1]) to each training image',
  },
  {
    name: 'jitterContrast', flag: 'jitter-contrast', type: 'number', minimum: 0, maximum: 1, default: 0, neutral: 0, example: 0.2, needs: 'image', label: 'contrast', metavar: 'C',
    description: "scale each training image's pixels about its mean by a factor uniform in [1 − C, 1 + C]",
  },
];

/** The jitter options: any of them set needs a data set with an image shape. */
export const JITTER_OPTIONS: readonly string[] = TRAINING_OPTIONS.filter((o) => o.needs === 'image').map((o) => o.name);

export function trainingOption(name: string): TrainingOption | undefined {
  return TRAINING_OPTIONS.find((o) => o.name === name);
}

/** Why `value` is not a valid value of option `o` (a phrase), or null when it is. */
export function optionValueError(o: TrainingOption, value: unknown): string | null {
  switch (o.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'choice':
      return typeof value === 'string' && o.choices!.includes(value) ? null : `must be one of ${o.choices!.join(', ')}`;
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a finite number';
      if (o.type === 'integer' && !Number.isInteger(value)) return 'must be an integer';
      if (o.minimum !== undefined && value < o.minimum) return `must be ≥ ${o.minimum}`;
      if (o.exclusiveMinimum !== undefined && value <= o.exclusiveMinimum) return `must be > ${o.exclusiveMinimum}`;
      if (o.maximum !== undefined && value > o.maximum) return `must be ≤ ${o.maximum}`;
      if (o.exclusiveMaximum !== undefined && value >= o.exclusiveMaximum) return `must be < ${o.exclusiveMaximum}`;
      return null;
    }
  }
}

/** Whether option `o` is part of the identity of a run configured as `config`. */
export function optionInIdentity(o: TrainingOption, config: { batchNorm: boolean } & Record<string, unknown>): boolean {
  if (o.needs === 'batchNorm' && !config.batchNorm) return false;
  if (o.neutral !== undefined && config[o.name] === o.neutral) return false;
  return true;
}
