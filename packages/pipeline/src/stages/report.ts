// The report stage: reads every stage's result.json (each must be current), sums the compute time
// of each stage's trials from their records' meta, renders the report package's pure functions
// with a jsdom document, and writes report/<profile>/ (README.md, the SVGs, the CSVs, report.html)
// plus results/<profile>/report/result.json, a manifest of those files with their sha256.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { JSDOM } from 'jsdom';
import { renderReport, type DataStageResult, type ReportDocument, type StageName, type StudyResults } from '@bnlab/report';
import { readRecord, trialStoreDir } from '../trials/store.js';
import { sweepTempFiles, writeFileAtomic } from '../util/atomic-write.js';
import { sha256 } from '../util/canonical-json.js';
import { shown, upstreamResult, writeStageResult, type StageEnv } from './context.js';
import { formatSeconds, type StageView } from './progress.js';
import type { StageOutcome } from './run-stage.js';

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

/** The trial hashes behind each training stage's result, in result order. */
export function stageTrialHashes(r: Omit<StudyResults, 'computeSeconds' | 'dataNote' | 'profile'>): Partial<Record<StageName, string[]>> {
  return {
    curves: r.curves.groups.flatMap((g) => g.runs.map((x) => x.hash)),
    coarse: r.coarse.trials.map((t) => t.hash),
    fine: r.fine.centres.flatMap((c) => c.trials.map((t) => t.hash)),
    final: r.final.groups.flatMap((g) => g.runs.map((x) => x.hash)),
    sigma: r.sigma.groups.flatMap((g) => g.runs.map((x) => x.hash)),
  };
}

/**
 * Compute seconds per stage, summed from the trial records' meta (each distinct trial once). A stage
 * with a record missing from the store gets no figure (the report shows "—") and a warning.
 */
export function computeSeconds(
  storeDir: string,
  hashes: Partial<Record<StageName, string[]>>,
  warn: (line: string) => void,
): Partial<Record<StageName, number>> {
  const out: Partial<Record<StageName, number>> = {};
  for (const [stage, list] of Object.entries(hashes) as [StageName, string[]][]) {
    let sum = 0;
    let missing = 0;
    for (const hash of new Set(list)) {
      const record = readRecord(storeDir, hash, warn, false);
      if (record) sum += record.meta.computeSeconds;
      else missing++;
    }
    if (missing === 0) out[stage] = sum;
    else warn(`report: ${missing} of the ${stage} stage's trial records are not in the trial store: its compute time is left out`);
  }
  return out;
}

/** Everything the report renders, read from results/<profile>/ (every upstream result must be current). */
export function loadStudyResults(env: StageEnv, warn: (line: string) => void): StudyResults {
  const stages = {
    data: upstreamResult<StudyResults['data']>(env, 'data'),
    gradcheck: upstreamResult<StudyResults['gradcheck']>(env, 'gradcheck'),
    curves: upstreamResult<StudyResults['curves']>(env, 'curves'),
    coarse: upstreamResult<StudyResults['coarse']>(env, 'coarse'),
    fine: upstreamResult<StudyResults['fine']>(env, 'fine'),
    final: upstreamResult<StudyResults['final']>(env, 'final'),
    sigma: upstreamResult<StudyResults['sigma']>(env, 'sigma'),
  };
  const store = trialStoreDir(env.workspace, env.study.profile);
  return {
    profile: env.study.profile,
    title: env.study.stages.report.title,
    ...stages,
    computeSeconds: computeSeconds(store, stageTrialHashes(stages), warn),
    dataNote: dataNote(stages.data),
  };
}

/** Renders with a fresh jsdom document (closed afterwards): the report package itself touches no DOM global. */
export function renderWithJsdom(results: StudyResults): Record<string, string> {
  const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>');
  try {
    return renderReport(results, dom.window.document as unknown as ReportDocument).files;
  } finally {
    dom.window.close();
  }
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

export interface ReportStageOptions {
  env: StageEnv;
  view: StageView;
  /** One-line notes for stderr (a missing trial record). */
  warn: (line: string) => void;
}

/** `bnlab run report`: renders report/<profile>/ from the stage results; trains nothing. */
export async function runReportStage(o: ReportStageOptions): Promise<StageOutcome> {
  const { env, view } = o;
  return view.stage('report', async () => {
    const t0 = performance.now();
    const results = loadStudyResults(env, o.warn);
    const files = renderWithJsdom(results);
    const dir = reportDir(env.workspace, env.study.profile);
    writeReportFiles(dir, files);
    const manifest = {
      stage: 'report',
      profile: env.study.profile,
      files: Object.fromEntries(Object.keys(files).sort().map((name) => [name, sha256(files[name])])),
    };
    const wallSeconds = (performance.now() - t0) / 1000;
    const file = writeStageResult(env, 'report', manifest, {
      stage: 'report',
      profile: env.study.profile,
      wallSeconds,
      trainedComputeSeconds: 0,
      workers: 0,
      executor: 'in-process',
      trials: { total: 0, reused: 0, trained: 0 },
    });
    view.summary(`report: wrote ${shown(env, path.join(dir, 'README.md'))} and ${Object.keys(files).length - 1} files beside it in ${formatSeconds(wallSeconds)}`);
    return { kind: 'done', file, trained: 0 } as StageOutcome;
  });
}
