// Every stage kind, one line each: adding a kind is its module (kinds/<kind>.ts) plus a line here.
// The built-in data stage is not a kind a study declares.
import { evaluate } from './evaluate.js';
import { gradcheck } from './gradcheck.js';
import { grid } from './grid.js';
import type { Kind } from './kind.js';
import { refine } from './refine.js';
import { report } from './report.js';
import { search } from './search.js';
import { summary } from './summary.js';

export const KINDS: readonly Kind[] = [gradcheck, grid, search, refine, evaluate, summary, report];

export function kindOf(name: string): Kind | undefined {
  return KINDS.find((k) => k.name === name);
}
