// The report stage: reads every stage's result.json (each must be current), asks each stage's kind
// for its section, sums the compute time of each stage's trials from their records' meta, renders
// with the report package and a jsdom document, and writes report/<profile>/ (README.md, the SVGs,
// the CSVs, report.html) plus results/<profile>/<stage>/result.json, a manifest of those files.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { JSDOM } from 'jsdom';
import { renderStudyReport, type DataStageResult, type ReportDocument, type ReportSection, type SettingsRow, type StudyReport } from '@bnlab/report';
import type { ResolvedStage } from '../config/types.js';
import { kindOf } from '../kinds/registry.js';
import { settingsColumns } from '../kinds/common.js';
import type { KindRunOptions } from '../kinds/kind.js';
import type { ReportSettings } from '../kinds/report.js';
import { readRecord, trialStoreDir } from '../trials/store.js';
import { sweepTempFiles, writeFileAtomic } from '../util/atomic-write.js';
import { sha256 } from '../util/canonical-json.js';
import { shown, upstreamResult, type StageEnv } from './context.js';
import { formatSeconds } from './progress.js';
import type { StageOutcome } from './stage.js';

export function reportDir(workspace: string, profile: string): string {
  return path.join(workspace, 'report', profile);
}

const DATASETS: Record<string, { name: string; train: number; test: number }> = {
  cifar10: { name: 'CIFAR-10', train: 50000, test: 10000 },
  'fashion-mnist': { name: 'Fashion-MNIST', train: 60000, test: 10000 },
};

/** Which data the study ran on, from the data stage's result: "CIFAR-10, a subset: 5170 training + 1017 test images (the full set has 50000 + 10000)". */
export function dataNote(data: DataStageResult): string {
  const main = data.preparations.find((p) => p.name === 'main') ?? data.preparations[0];
  const known = DATASETS[data.dataset];
  const name = known?.name ?? data.dataset;
  if (!main) return name;
  const train = main.splits.train + main.splits.validation;
  const sizes = `${train} training + ${main.splits.test} test images`;
  if (!known) return `${name} (${sizes})`;
  if (train === known.train && main.splits.test === known.test) return `the full ${name} (${sizes})`;
  return `a subset of ${name}: ${sizes}, not the full ${known.train} + ${known.test}`;
}

/** Compute seconds of a stage's trials, summed from the records' meta (each distinct trial once); undefined when a record is missing. */
export function computeSeconds(storeDir: string, hashes: readonly string[], warn: (line: string) => void, stage: string): number | undefined {
  let sum = 0;
  let missing = 0;
  for (const hash of new Set(hashes)) {
    const record = readRecord(storeDir, hash, warn, false);
    if (record) sum += record.meta.computeSeconds;
    else missing++;
  }
  if (missing === 0) return sum;
  warn(`report: ${missing} of the ${stage} stage's trial records are not in the trial store: its compute time is left out`);
  return undefined;
}

/** The files the report writes besides its sections' own: their names are taken before any section picks one. */
export const REPORT_FILES: readonly string[] = ['README.md', 'report.html', 'data.csv', 'provenance.csv', 'settings.csv'];

/**
 * A stage's section of the report from its (current) result: what its kind's `section` gives, with the
 * heading's title and the trial hashes behind it; undefined for a kind without a section. The report
 * stage and `bnlab serve` both render through this, in declared order with one `files` set, so the
 * page shows exactly the report's section.
 */
export function stageSection(
  env: StageEnv,
  stage: ResolvedStage,
  result: Record<string, unknown>,
  ctx: { data: DataStageResult; document: ReportDocument; files: Set<string> },
): (Omit<ReportSection, 'computeSeconds'> & { hashes?: string[] }) | undefined {
  const kind = kindOf(stage.kind)!;
  if (!kind.section) return undefined;
  const { blocks, conclusions } = kind.section(result, { study: env.study, stage, ...ctx });
  const hashes = kind.trialHashes?.(result);
  return {
    stage: stage.name,
    kind: stage.kind,
    header: result as unknown as ReportSection['header'],
    title: kind.description,
    trials: hashes ? new Set(hashes).size : null,
    blocks,
    conclusions,
    hashes,
  };
}

/** A jsdom document for the report's charts, closed after `f`: the report package touches no DOM global. */
export function withDocument<T>(f: (document: ReportDocument) => T): T {
  const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>');
  try {
    return f(dom.window.document as unknown as ReportDocument);
  } finally {
    dom.window.close();
  }
}

/** The report of the study, rendered with a fresh jsdom document. */
export function renderStudy(env: StageEnv, title: string, warn: (line: string) => void): Record<string, string> {
  return withDocument((document) => {
    const data = upstreamResult<DataStageResult>(env, 'data');
    const store = trialStoreDir(env.workspace);
    const files = new Set<string>(REPORT_FILES);
    const sections: ReportSection[] = [];
    const rows: SettingsRow[] = [];
    const columns: string[] = [];
    for (const stage of env.study.stages) {
      const kind = kindOf(stage.kind)!;
      if (!kind.section) continue;
      const { hashes, ...section } = stageSection(env, stage, upstreamResult<Record<string, unknown>>(env, stage.name), { data, document, files })!;
      sections.push({ ...section, computeSeconds: hashes ? computeSeconds(store, hashes, warn, stage.name) : undefined });
      if (kind.training) {
        const values = settingsColumns(kind.training(stage.settings));
        for (const c of Object.keys(values)) if (!columns.includes(c)) columns.push(c);
        rows.push({ stage: stage.name, values });
      }
    }
    const report: StudyReport = { title, profile: env.study.profile, dataNote: dataNote(data), data, sections, settings: { columns, rows } };
    return renderStudyReport(report).files;
  });
}

// Only what the report writes: anything else a user put in the directory is left alone.
const REPORT_FILE = /\.(md|svg|csv|html)$/;

/**
 * Writes every file (temp + rename), then removes report files of an earlier render that this one no
 * longer produces (a group dropped from the study), so the directory holds exactly this report.
 */
export function writeReportFiles(dir: string, files: Record<string, string>): void {
  sweepTempFiles(dir);
  for (const [name, text] of Object.entries(files)) writeFileAtomic(path.join(dir, name), text);
  for (const name of readdirSync(dir)) {
    if (REPORT_FILE.test(name) && !(name in files)) rmSync(path.join(dir, name), { force: true });
  }
}

export async function runReportStage(stage: ResolvedStage<ReportSettings>, o: KindRunOptions): Promise<StageOutcome> {
  const { env, view } = o;
  return view.stage(stage.name, async () => {
    const t0 = performance.now();
    const files = renderStudy(env, stage.settings.title, o.warn);
    const dir = reportDir(env.workspace, env.study.profile);
    writeReportFiles(dir, files);
    const manifest = {
      stage: stage.name,
      kind: 'report',
      profile: env.study.profile,
      files: Object.fromEntries(Object.keys(files).sort().map((name) => [name, sha256(files[name])])),
    };
    const wallSeconds = (performance.now() - t0) / 1000;
    const outcome = o.done(manifest);
    view.summary(`${stage.name}: wrote ${shown(env, path.join(dir, 'README.md'))} and ${Object.keys(files).length - 1} files beside it in ${formatSeconds(wallSeconds)}`);
    return outcome;
  });
}
