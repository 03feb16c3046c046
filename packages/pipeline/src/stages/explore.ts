// What `bnlab show`, `bnlab compare` and `bnlab run`'s headline read: a stage's state (as `bnlab plan`
// judges it) and, when current, its kind's computed conclusions and tables, from the same
// `stageSection` the report renders. Nothing here computes a number or a label of its own.
import type { DataStageResult, ReportDocument, Table } from '@bnlab/report';
import { findStage } from '../config/stages.js';
import { resultState, upstreamResult, type StageEnv } from './context.js';
import { planStudy, type StagePlan } from './plan.js';
import { REPORT_FILES, stageSection, withDocument } from './report.js';

export interface StageShown {
  stage: string;
  kind: string;
  state: StagePlan['result'];
  /** Why it is not current. */
  reason?: string;
  /** What to run to make it current (when it is not). */
  run?: string;
  conclusions: string[];
  tables: Table[];
}

/** Every declared stage (in order, `data` first), each with its state and, when current, its conclusions and tables. */
export function showStudy(env: StageEnv): StageShown[] {
  const plan = planStudy(env);
  const data = resultState(env, 'data');
  return withDocument((document) => {
    const files = new Set<string>(REPORT_FILES);
    return plan.stages.map((p) => {
      const shown: StageShown = { stage: p.stage, kind: p.kind, state: p.result, conclusions: [], tables: [] };
      if (p.result !== 'current' && p.result !== 'unchecked') {
        shown.reason = p.reason;
        shown.run = `bnlab run ${p.stage} -c ${env.study.profile}`;
        return shown;
      }
      if (data.state !== 'current') return shown;
      const section = sectionOf(env, p.stage, data.value as DataStageResult, document, files);
      if (section) {
        shown.conclusions = section.conclusions;
        shown.tables = section.blocks.flatMap((b) => (b.type === 'table' ? [b.table] : []));
      }
      return shown;
    });
  });
}

/** A stage's headline: its first computed conclusion (undefined for a stage without one). */
export function stageHeadline(env: StageEnv, stage: string): string | undefined {
  const data = resultState(env, 'data');
  if (data.state !== 'current') return undefined;
  return withDocument((document) => sectionOf(env, stage, data.value as DataStageResult, document, new Set(REPORT_FILES))?.conclusions[0]);
}

/** A declared stage's report section from its result (undefined for `data` and kinds without one). */
function sectionOf(env: StageEnv, name: string, data: DataStageResult, document: ReportDocument, files: Set<string>) {
  const stage = findStage(env.study, name);
  return stage ? stageSection(env, stage, upstreamResult<Record<string, unknown>>(env, name), { data, document, files }) : undefined;
}

/** A Markdown cell as plain text: the inline marks (`code`, **bold**, [label](file)) dropped. */
export function plainCell(s: string): string {
  return s.replace(/\*\*/g, '').replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
}

/** A table as aligned plain-text lines: header, a rule, its rows (numbers right-aligned). */
export function plainTable(t: Table): string[] {
  const rows = [t.header, ...t.rows].map((r) => r.map(plainCell));
  const widths = t.header.map((_, j) => Math.max(...rows.map((r) => [...(r[j] ?? '')].length)));
  const pad = (c: string, j: number) => {
    const fill = ' '.repeat(widths[j] - [...c].length);
    return t.align[j] === 'r' ? fill + c : c + fill;
  };
  const line = (r: string[]) => r.map((c, j) => pad(c ?? '', j)).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
}
