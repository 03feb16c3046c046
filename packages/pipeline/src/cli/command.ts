// The contract every subcommand module (cli/cmd-<name>.ts) follows.
import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
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

/**
 * `--lambda -1` → `--lambda=-1`: parseArgs takes a value starting with '-' for an option and calls it
 * ambiguous. A negative number after an option that takes a value is that value (the command then says
 * whether it is allowed).
 */
export function joinNegativeValues(argv: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const name = a.startsWith('--') ? a.slice(2) : a.length === 2 && a[0] === '-' ? Object.keys(options).find((k) => options[k].short === a[1]) : undefined;
    if (name !== undefined && !a.includes('=') && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity$)/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/** Parses a number flag; a bad value is a usage error naming the flag. */
export function numberFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag}: '${value}' is not a number`);
  return n;
}

export function nonNegative(value: string | undefined, flag: string, fallback: number): number {
  const n = numberFlag(value, flag, fallback);
  if (n < 0) throw new UsageError(`--${flag}: '${value}' must be ≥ 0`);
  return n;
}

/**
 * Throws a usage error unless `file` can be written: not a directory, and a file can be created beside
 * it (a probe created and removed at once: access() says yes to root even on a read-only mount).
 */
export function checkWritable(file: string, flag: string): void {
  const dir = path.dirname(file);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`${flag}: ${file} is a directory; name a file`);
  const probe = path.join(dir, `.${path.basename(file)}.probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `the directory ${dir} does not exist` : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `${dir} is not writable (${code})` : (err as Error).message;
    throw new UsageError(`${flag}: cannot write ${file}: ${why} (checked before training; choose another path)`);
  }
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
