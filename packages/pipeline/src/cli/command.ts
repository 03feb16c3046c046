// The contract every subcommand module (cli/cmd-<name>.ts) follows.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Context {
  debug: boolean;
}

export interface Command {
  /** Full --help text: usage line, description, every option with its default. */
  help: string;
  /** Returns the exit code. Throw UsageError / BnlabError for one-line errors. */
  run(argv: string[], ctx: Context): Promise<number>;
}

import { UsageError } from '../errors.js';

export { BnlabError, UsageError } from '../errors.js';

/** A negative number as a flag's value: parseArgs would take "-0.1" for an option. */
const NEGATIVE_NUMBER = /^-(\d|\.\d|Infinity$)/;

/**
 * `--flag -0.1` → `--flag=-0.1` for every flag that takes a value, so that a negative number reads as
 * the value (and then gets the flag's own range error) instead of parseArgs's "ambiguous" error.
 */
export function joinNegativeValues(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : null;
    if (name !== null && options[name]?.type === 'string' && i + 1 < argv.length && NEGATIVE_NUMBER.test(argv[i + 1])) {
      out.push(`${a}=${argv[++i]}`);
    } else {
      out.push(a);
    }
  }
  return out;
}

/** node:util parseArgs in strict mode, with its errors turned into one-line usage errors. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  command: string,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: boolean }>> {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals });
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UsageError(`${command}: ${msg.replace(/\. To specify a positional argument.*$/, '')} (see bnlab ${command} --help)`);
  }
}

/** Parses a number flag; a bad value is a usage error naming the flag. */
export function numberFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag}: '${value}' is not a number`);
  return n;
}

export function intFlag(value: string | undefined, flag: string, fallback: number, min = 0, max = Infinity): number {
  const n = numberFlag(value, flag, fallback);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag}: '${value}' must be an integer ≥ ${min}`);
  if (n > max) throw new UsageError(`--${flag}: '${value}' must be at most ${max}`);
  return n;
}

/** "50,30,20" → [50, 30, 20]; "" → [] (a linear classifier). */
export function listFlag(value: string | undefined, flag: string, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  if (value.trim() === '') return [];
  return value.split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag}: '${s}' in '${value}' is not a positive integer`);
    return n;
  });
}
