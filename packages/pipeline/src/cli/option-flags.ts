// The engine's training options (TRAINING_OPTIONS) as command-line flags: their parseArgs entries,
// their parsing and range checks, and their help lines, all derived from the option list, so a new
// engine option is a flag of `bnlab train` (and, when it acts on the gradient, `bnlab gradcheck`)
// without code here.
import { optionValueError, TRAINING_OPTIONS, type OptionValue, type TrainingOption } from '@bnlab/engine';
import { numberFlag, UsageError } from './command.js';

/** The options of TRAINING_OPTIONS with these names, in the list's order (all of them by default). */
export function trainingOptions(names?: readonly string[]): TrainingOption[] {
  if (names === undefined) return [...TRAINING_OPTIONS];
  for (const n of names) if (!TRAINING_OPTIONS.some((o) => o.name === n)) throw new Error(`no training option '${n}'`);
  return TRAINING_OPTIONS.filter((o) => names.includes(o.name));
}

/** parseArgs entries: a boolean option is a switch, every other one takes a value. */
export function optionFlagSpecs(options: readonly TrainingOption[]): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(options.map((o) => [o.flag, { type: o.type === 'boolean' ? 'boolean' : 'string' }]));
}

/** The hint after a bad value: what the option is, and its default. */
function hint(o: TrainingOption): string {
  return /\bdefault\b/.test(o.description) ? o.description : `${o.description}; default ${String(o.default)}`;
}

/** One option's value from its flag (its default when absent); a bad value is a usage error naming the flag. */
export function optionFlagValue(o: TrainingOption, raw: string | boolean | undefined): OptionValue {
  if (raw === undefined) return o.default;
  let value: OptionValue;
  if (o.type === 'boolean') value = raw === true;
  else if (o.type === 'choice') value = String(raw);
  else value = numberFlag(String(raw), o.flag, o.default as number);
  const why = optionValueError(o, value);
  if (why !== null) {
    const shown = o.type === 'choice' ? `'${String(raw)}'` : String(raw);
    throw new UsageError(`--${o.flag}: ${shown} ${why} (${hint(o)})`);
  }
  return value;
}

/** Every option's value by name, from parsed flags. */
export function optionFlagValues(options: readonly TrainingOption[], values: Record<string, string | boolean | undefined>): Record<string, OptionValue> {
  return Object.fromEntries(options.map((o) => [o.name, optionFlagValue(o, values[o.flag])]));
}

/**
 * Help lines, `  --flag METAVAR  description (default …)`, the description from `column` on, wrapped
 * before `width` columns.
 */
export function optionHelpLines(options: readonly TrainingOption[], column = 24, width = 104): string[] {
  return options.flatMap((o) => {
    const left = `  --${o.flag}${o.type === 'boolean' ? '' : ` ${o.type === 'choice' ? o.choices!.join('|') : (o.metavar ?? 'X')}`}`;
    const def = o.type === 'boolean' || /\bdefault\b/.test(o.description) ? '' : ` (default ${String(o.default)})`;
    const lines: string[] = [];
    let line = left.length < column - 1 ? left.padEnd(column - 1) : `${left}\n${' '.repeat(column - 1)}`;
    for (const word of `${o.description}${def}`.split(' ')) {
      const last = line.slice(line.lastIndexOf('\n') + 1);
      if (last.length + 1 + word.length > width && last.trim() !== '') {
        lines.push(line);
        line = `${' '.repeat(column - 1)} ${word}`;
      } else {
        line += ` ${word}`;
      }
    }
    lines.push(line);
    return lines;
  });
}
