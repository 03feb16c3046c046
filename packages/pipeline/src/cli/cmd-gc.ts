// bnlab gc: removes prepared data and trial records that no declared study uses, and says how much.
import path from 'node:path';
import { applyGc, formatBytes, planGc, type GcItem } from '../gc/gc.js';
import { workspaceRoot } from '../stages/workspace.js';
import { parseFlags, type Command } from './command.js';

const help = `Usage: bnlab gc [--dry-run] [--config FILE] [--json]

Removes what no declared study uses: prepared data in .bnlab/data that no profile of
experiments.yaml loads (each preparation's cache key, from its source files' hashes and settings),
and trial records under results/<profile>/trials/ that no stage of that profile needs (its trials
under the current data, upstream results and engine; a directory of a profile that is no longer
declared is unused as a whole). Anything it cannot prove unused is kept and said so: every entry
of a data set whose files are not here, and the whole store of a profile whose fine or final trials
are not known yet (run its upstream stages first). Committed records a profile uses are never removed.

Options:
  --dry-run      say what would be removed, remove nothing
  --config FILE  the study file (default: experiments.yaml at the workspace root)
  --json         print {removed: boolean, data: [{path, bytes}], trials: [...], kept: [...]} on stdout
  -h, --help     show this help`;

export const command: Command = {
  help,
  async run(argv) {
    const { values } = parseFlags(argv, { 'dry-run': { type: 'boolean' }, config: { type: 'string' }, json: { type: 'boolean' } }, 'gc');
    const ws = workspaceRoot();
    const plan = await planGc(ws, values.config);
    const dry = values['dry-run'] === true;
    if (!dry) applyGc(plan);
    if (values.json) {
      const rel = (items: GcItem[]) => items.map((i) => ({ path: path.relative(ws, i.path), bytes: i.bytes }));
      process.stdout.write(`${JSON.stringify({ removed: !dry, data: rel(plan.data), trials: rel(plan.trials), kept: plan.kept }, null, 2)}\n`);
      return 0;
    }
    const total = (items: GcItem[]) => formatBytes(items.reduce((n, i) => n + i.bytes, 0));
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    const lines = [
      `gc: ${dry ? 'would remove' : 'removed'} ${count(plan.data.length, 'prepared data entry').replace('entrys', 'entries')} (${total(plan.data)}) ` +
        `and ${count(plan.trials.length, 'trial record')} (${total(plan.trials)}) no declared study uses`,
      ...plan.data.map((i) => `  ${path.relative(ws, i.path)}  ${formatBytes(i.bytes)}`),
      ...plan.kept.map((k) => `  kept: ${k}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
