// Configuration errors: every problem of experiments.yaml at once, one line each, sorted by position:
//   experiments.yaml:14:12 stages.coarse.samples: must be an integer
import { BnlabError } from '../errors.js';

export interface ConfigIssue {
  /** 1-based; absent when the problem has no place in the file (an unknown profile given on the command line). */
  line?: number;
  col?: number;
  /** Dotted path in the file, e.g. "stages.coarse.samples" ("" for the whole file). */
  path: string;
  message: string;
}

export class ConfigError extends BnlabError {
  constructor(readonly file: string, readonly issues: ConfigIssue[]) {
    super(formatIssues(file, issues).join('\n'));
  }
}

export function formatIssue(file: string, issue: ConfigIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.col ?? 1}`;
  return issue.path === '' ? `${where} ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/** Sorted by position (unlocated last), duplicates dropped. */
export function formatIssues(file: string, issues: ConfigIssue[]): string[] {
  const sorted = [...issues].sort(
    (a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.col ?? 0) - (b.col ?? 0) || a.path.localeCompare(b.path),
  );
  return [...new Set(sorted.map((i) => formatIssue(file, i)))];
}

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** The closest candidate when it is close enough to be a likely misspelling (≤ 1 edit for short words, ≤ 2 otherwise). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = word.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= limit ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean '${c}'?)`;
}
