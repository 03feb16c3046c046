// The whole report from its parts: a title, the computed conclusions (one heading per stage), the
// data, the provenance, the training settings each stage used, then one section per stage in the
// declared order. The sections are blocks the pipeline's kinds build; this module only arranges and
// renders them, to Markdown and to HTML from the same blocks.
import { blockFiles, heading, list, paragraph, renderHtml, renderMarkdown, table, type Block } from './blocks.js';
import { CHANCE_MARGIN } from './factors.js';
import { duration } from './format.js';
import type { DataStageResult, StageHeader } from './results.js';

export interface ReportSection {
  /** The user's stage name (the section's heading and the prefix of its files). */
  stage: string;
  kind: string;
  header: StageHeader;
  /** A heading for the section besides the name, e.g. "grid: η_max × batch norm × net". */
  title: string;
  /** Trials behind the result (null: the stage trains nothing). */
  trials: number | null;
  /** Compute seconds summed from the trial records (undefined: a record is missing). */
  computeSeconds?: number;
  blocks: Block[];
  conclusions: string[];
}

/** One row of the training-settings table: a stage and its settings by column label. */
export interface SettingsRow {
  stage: string;
  values: Record<string, string>;
}

export interface StudyReport {
  title: string;
  profile: string;
  /** "a subset of CIFAR-10: 5170 training + 1017 test images, …" */
  dataNote: string;
  data: DataStageResult;
  sections: ReportSection[];
  /** Columns (labels) of the training-settings table, in order, and one row per training stage. */
  settings: { columns: string[]; rows: SettingsRow[] };
}

export interface RenderedReport {
  /** File name (relative to the report directory) → contents. */
  files: Record<string, string>;
}

export function reportBlocks(r: StudyReport): Block[] {
  const blocks: Block[] = [
    heading(1, `${r.title}: profile \`${r.profile}\``),
    paragraph(
      `This report ran on ${r.dataNote}.`,
      "Every number, chart and sentence in it is computed from the stage results (`result.json`) by the pipeline's report stage; each table is also a CSV file beside this one, and [report.html](report.html) is the same report as one file.",
    ),
    heading(2, 'Conclusions'),
  ];
  for (const s of r.sections) blocks.push(...conclusionBlocks(s));
  blocks.push(
    paragraph(
      'Differences are mean(to) − mean(from) over seeds, in percentage points, with a Welch 95 % confidence interval (Welch–Satterthwaite degrees of freedom); "within noise" means the interval contains 0.',
      `Chance level means a mean test accuracy within ${(CHANCE_MARGIN * 100).toFixed(0)} pp of 1/classes.`,
    ),
    heading(2, 'Data'),
    paragraph(`Data set \`${r.data.dataset}\`: ${r.data.classes.length} classes (${r.data.classes.join(', ')}), ${r.data.dimensions} input dimensions.`),
    table({
      file: 'data.csv',
      header: ['preparation', 'training', 'validation', 'test', 'fingerprint (sha256)'],
      align: ['l', 'r', 'r', 'r', 'l'],
      rows: r.data.preparations.map((p) => [p.name, String(p.splits.train), String(p.splits.validation), String(p.splits.test), `\`${p.fingerprint}\``]),
      csvHeader: ['preparation', 'validation_size', 'train', 'validation', 'test', 'fingerprint'],
      csvRows: r.data.preparations.map((p) => [p.name, p.validation, p.splits.train, p.splits.validation, p.splits.test, p.fingerprint]),
    }),
    ...provenance(r),
  );
  if (r.settings.rows.length > 0) {
    blocks.push(
      heading(2, 'Training settings'),
      paragraph('What each training stage started from (defaults.training with the stage\'s own overrides); a stage that varies, draws or refines an option sets it per trial.'),
      table({
        file: 'settings.csv',
        header: ['stage', ...r.settings.columns],
        align: ['l', ...r.settings.columns.map(() => 'r' as const)],
        rows: r.settings.rows.map((row) => [row.stage, ...r.settings.columns.map((c) => row.values[c] ?? '—')]),
        csvHeader: ['stage', ...r.settings.columns],
        csvRows: r.settings.rows.map((row) => [row.stage, ...r.settings.columns.map((c) => row.values[c] ?? null)]),
      }),
    );
  }
  for (const s of r.sections) blocks.push(...sectionBlocks(s));
  return blocks;
}

/** A stage's conclusions as the report lists them under "Conclusions" (none when it has none). */
export function conclusionBlocks(s: Pick<ReportSection, 'stage' | 'kind' | 'conclusions'>): Block[] {
  return s.conclusions.length === 0 ? [] : [heading(3, `${s.stage} (${s.kind})`), list(s.conclusions)];
}

/** A stage's section of the report: its heading and the kind's blocks. */
export function sectionBlocks(s: Pick<ReportSection, 'stage' | 'title' | 'blocks'>): Block[] {
  return [heading(2, `${s.stage}: ${s.title}`), ...s.blocks];
}

function provenance(r: StudyReport): Block[] {
  const trained = r.sections.filter((s) => s.trials !== null);
  const total = trained.reduce((t, s) => t + (s.computeSeconds ?? 0), 0);
  const lowerBound = trained.some((s) => s.computeSeconds === undefined);
  return [
    heading(2, 'Provenance'),
    table({
      file: 'provenance.csv',
      header: ['stage', 'kind', 'configuration hash', 'engine', 'kernel', 'trials', 'compute time'],
      align: ['l', 'l', 'l', 'l', 'l', 'r', 'r'],
      rows: [
        ...r.sections.map((s) => [
          s.stage,
          s.kind,
          `\`${s.header.configHash.slice(0, 12)}\``,
          `\`${s.header.engine}\``,
          `\`${s.header.kernel}\``,
          s.trials === null ? '—' : String(s.trials),
          s.computeSeconds === undefined ? '—' : duration(s.computeSeconds),
        ]),
        ['total', '', '', '', '', String(trained.reduce((n, s) => n + (s.trials ?? 0), 0)), `${lowerBound ? '≥ ' : ''}${duration(total)}`],
      ],
      csvHeader: ['stage', 'kind', 'config_hash', 'engine', 'kernel', 'trials', 'compute_seconds'],
      csvRows: r.sections.map((s) => [s.stage, s.kind, s.header.configHash, s.header.engine, s.header.kernel, s.trials, s.computeSeconds ?? null]),
      bold: [r.sections.length],
    }),
    paragraph(
      "Configuration hashes are sha256 of each stage's resolved configuration (canonical JSON; the first 12 hex digits shown, all in the CSV).",
      "Compute time is the sum of the trial records' training times (each trial once, on whichever machine trained it), not the wall time of a run.",
    ),
  ];
}

/** README.md, report.html and every file beside them. */
export function renderStudyReport(r: StudyReport): RenderedReport {
  const blocks = reportBlocks(r);
  return {
    files: {
      'README.md': renderMarkdown(blocks),
      ...blockFiles(blocks, { profile: r.profile, dataset: r.data.dataset }),
      'report.html': renderHtml(blocks, `${r.title}: ${r.profile}`),
    },
  };
}
