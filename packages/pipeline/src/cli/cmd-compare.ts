// bnlab compare -c A -c B [STAGE]: two profiles' stages side by side, and where one stage's tables differ.
import { plainCell, plainTable, showStudy, type StageShown } from '../stages/explore.js';
import { openStudy } from '../stages/workspace.js';
import { parseFlags, UsageError, type Command } from './command.js';
import { checkStage, notCurrentLine, pickStage, tableJson } from './cmd-show.js';

const help = `Usage: bnlab compare -c A -c B [--config FILE] [STAGE] [--json]

Two profiles side by side. Without STAGE: for each stage both profiles declare, its conclusions
(the key numbers bnlab show gives) under A and under B. With STAGE: that stage's tables under A
and under B one after the other, each under a header line, then one line per table row (keyed
by its first cell) that differs between them or is in one only. A stage whose result is not
current under a profile is one line saying so and what to run. Reads only.

Options:
  -c, --profile NAME  a profile; given exactly twice (A, then B)
  --config FILE       the study file (default: experiments.yaml at the workspace root)
  --json              print {profiles: [A, B], stages: [{stage, a, b, differences?}]} on stdout
                      (a, b as bnlab show --json gives a stage; differences only with STAGE)
  -h, --help          show this help`;

interface RowDifference {
  file: string;
  key: string;
  a: string[] | null;
  b: string[] | null;
}

/** Rows (keyed by their first cell) of the same table file that differ between the two, or are in one only. */
export function rowDifferences(a: StageShown, b: StageShown): RowDifference[] {
  const out: RowDifference[] = [];
  const byKey = (rows: string[][]) => new Map(rows.map((r) => [plainCell(r[0] ?? ''), r.map(plainCell)]));
  const files = [...new Set([...a.tables, ...b.tables].map((t) => t.file))];
  for (const file of files) {
    const ra = byKey(a.tables.find((t) => t.file === file)?.rows ?? []);
    const rb = byKey(b.tables.find((t) => t.file === file)?.rows ?? []);
    for (const key of new Set([...ra.keys(), ...rb.keys()])) {
      const x = ra.get(key) ?? null;
      const y = rb.get(key) ?? null;
      if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ file, key, a: x, b: y });
    }
  }
  return out;
}

export const command: Command = {
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { profile: { type: 'string', short: 'c', multiple: true }, config: { type: 'string' }, json: { type: 'boolean' } }, 'compare', true);
    const profiles = values.profile ?? [];
    if (profiles.length !== 2) throw new UsageError(`compare: expected two profiles (-c A -c B), got ${profiles.length} (see bnlab compare --help)`);
    if (positionals.length > 1) throw new UsageError(`compare: expected at most one stage, got ${positionals.length} (see bnlab compare --help)`);
    const envs = profiles.map((p) => openStudy({ profile: p, config: values.config }));
    if (positionals.length === 1) for (const env of envs) checkStage('compare', env.study, positionals[0]);
    const [A, B] = envs.map(showStudy);
    const [pa, pb] = profiles;
    const out: string[] = [];
    if (positionals.length === 1) {
      const a = pickStage(A, positionals[0]);
      const b = pickStage(B, positionals[0]);
      const differences = a.run || b.run ? [] : rowDifferences(a, b);
      if (values.json) {
        const one = (s: StageShown) => ({ ...s, tables: tableJson(s) });
        process.stdout.write(`${JSON.stringify({ profiles, stages: [{ stage: a.stage, a: one(a), b: one(b), differences }] }, null, 2)}\n`);
        return 0;
      }
      for (const [p, s] of [[pa, a], [pb, b]] as const) {
        out.push(`== ${s.stage} (${s.kind}) under ${p}`);
        if (s.run) out.push(notCurrentLine(s));
        for (const t of s.tables) out.push('', `${t.file}:`, ...plainTable(t));
        out.push('');
      }
      out.push(differences.length === 0 ? 'no row differs' : `${differences.length} row${differences.length === 1 ? '' : 's'} differ:`);
      for (const d of differences) {
        const row = (r: string[] | null) => (r ? r.join(' | ') : '(absent)');
        out.push(`  ${d.file} ${d.key}: ${pa}: ${row(d.a)}  ≠  ${pb}: ${row(d.b)}`);
      }
    } else {
      const both = A.filter((s) => B.some((t) => t.stage === s.stage));
      if (values.json) {
        const strip = ({ tables: _, ...rest }: StageShown) => rest;
        process.stdout.write(`${JSON.stringify({ profiles, stages: both.map((s) => ({ stage: s.stage, a: strip(s), b: strip(B.find((t) => t.stage === s.stage)!) })) }, null, 2)}\n`);
        return 0;
      }
      out.push(`profiles ${pa} (A) and ${pb} (B)`);
      for (const a of both) {
        const b = B.find((t) => t.stage === a.stage)!;
        out.push('', `${a.stage} (${a.kind})`);
        for (const [p, s] of [[pa, a], [pb, b]] as const) {
          if (s.run) out.push(`  ${p}: ${notCurrentLine(s)}`);
          else if (s.conclusions.length === 0) out.push(`  ${p}: ${s.state}`);
          else for (const c of s.conclusions) out.push(`  ${p}: ${c}`);
        }
      }
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};
