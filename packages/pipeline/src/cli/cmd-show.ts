// bnlab show [STAGE]: every stage with its state and key numbers (like `dvc exp show`), or one stage's tables.
import { didYouMean } from '../config/errors.js';
import { stageNames } from '../config/stages.js';
import type { ResolvedStudy } from '../config/types.js';
import { plainTable, showStudy, type StageShown } from '../stages/explore.js';
import { openStudy } from '../stages/workspace.js';
import { parseFlags, UsageError, type Command } from './command.js';

const help = `Usage: bnlab show [-c|--profile NAME] [--config FILE] [STAGE] [--json]

Without STAGE: every stage of the study under the profile, with its kind, its state (as bnlab plan
judges it: current, stale, missing, invalid; the report's is unchecked) and its key numbers, the
conclusions its kind computes for the report, one a line. With STAGE: that stage's tables, as the
report shows them, aligned as plain text, then its conclusions. A stage whose result is not current
is one line saying so and what to run. Reads only: nothing is trained or written.

Options:
  -c, --profile NAME  the profile (default: env NX_TASK_TARGET_CONFIGURATION, else 'default')
  --config FILE       the study file (default: experiments.yaml at the workspace root)
  --json              print {profile, stages: [{stage, kind, state, reason?, run?, conclusions, tables?}]}
                      on stdout (tables: {file, header, rows, csvHeader, csvRows}; only with STAGE)
  -h, --help          show this help`;

/** The one line of a stage that is not current: its state, why and what to run. */
export function notCurrentLine(s: StageShown): string {
  return `${s.stage}: ${s.state}${s.reason ? ` (${s.reason})` : ''}; run \`${s.run}\``;
}

/** Checks that `name` is a stage of the study (before any work): else a one-line usage error with did-you-mean. */
export function checkStage(command: string, study: ResolvedStudy, name: string): void {
  const names = stageNames(study);
  if (!names.includes(name)) throw new UsageError(`${command}: unknown stage '${name}'${didYouMean(name, names)} (stages: ${names.join(', ')})`);
}

/** The stage of `shown` named `name` (checked with checkStage). */
export function pickStage(shown: StageShown[], name: string): StageShown {
  return shown.find((x) => x.stage === name)!;
}

export function tableJson(s: StageShown) {
  return s.tables.map((t) => ({ file: t.file, header: t.header, rows: t.rows, csvHeader: t.csvHeader, csvRows: t.csvRows }));
}

export const command: Command = {
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { profile: { type: 'string', short: 'c' }, config: { type: 'string' }, json: { type: 'boolean' } }, 'show', true);
    if (positionals.length > 1) throw new UsageError(`show: expected at most one stage, got ${positionals.length} (see bnlab show --help)`);
    const env = openStudy({ profile: values.profile, config: values.config });
    if (positionals.length === 1) checkStage('show', env.study, positionals[0]);
    const shown = showStudy(env);
    const profile = env.study.profile;
    const out: string[] = [];
    if (positionals.length === 1) {
      const s = pickStage(shown, positionals[0]);
      const { tables, ...rest } = s;
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ profile, stages: [{ ...rest, tables: tableJson(s) }] }, null, 2)}\n`);
        return 0;
      }
      if (s.run) out.push(notCurrentLine(s));
      else {
        out.push(`${s.stage} (${s.kind}), profile ${profile}`);
        for (const t of tables) out.push('', `${t.file}:`, ...plainTable(t));
        if (s.conclusions.length > 0) out.push('', ...s.conclusions.map((c) => `- ${c}`));
      }
    } else {
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ profile, stages: shown.map(({ tables: _, ...rest }) => rest) }, null, 2)}\n`);
        return 0;
      }
      out.push(`profile ${profile}`);
      const w = Math.max(...shown.map((s) => `${s.stage} (${s.kind})`.length));
      for (const s of shown) {
        const name = `${s.stage} (${s.kind})`.padEnd(w);
        if (s.run) out.push(`${name}  ${notCurrentLine(s).slice(s.stage.length + 2)}`);
        else if (s.conclusions.length === 0) out.push(`${name}  ${s.state}`);
        else s.conclusions.forEach((c, i) => out.push(`${i === 0 ? name : ''.padEnd(w)}  ${i === 0 ? `${s.state}: ` : '  '}${c}`));
      }
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};
