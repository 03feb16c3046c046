// The report: README.md with every chart beside it as SVG, every table also as CSV, and a single-file
// HTML version. Pure: the results and a `document` in, file contents out; the pipeline writes them.
import type { CurveGroup, SearchTrial, StageName, StudyResults } from './results.js';
import { curvesChart, curvesTitle } from './charts/curves.js';
import { finalSpreadChart } from './charts/final-spread.js';
import { gradcheckChart } from './charts/gradcheck.js';
import { coarseChart, fineChart } from './charts/search.js';
import { sigmaChart } from './charts/sigma.js';
import type { ReportDocument } from './charts/svg.js';
import { CHANCE_MARGIN, chanceSentences, comparisonSentence, finalSentences, gradcheckSentence, intervalText, searchSentence, verdict } from './conclusions.js';
import { duration, lambda as formatLambda, pct, pctMeanStd, plural, pp, sci, sigma as formatSigma } from './format.js';
import {
  bnComparisons, bnLabel, compare, depthComparisons, depthLabel, depthWording, groupSample, groupSlug, initLabel, isSigmaGroup, netLabel, sample,
  SPLITS, type Comparison, type Sample,
} from './groups.js';
import { markdownToHtml } from './html.js';
import { SPLIT_LABEL } from './palette.js';
import { csvText, markdownTable, type Table } from './tables.js';

export interface RenderedReport {
  /** File name (relative to the report directory) → contents. */
  files: Record<string, string>;
}

const PARAMETERS = ['W', 'b', 'gamma', 'beta'] as const;
const PARAMETER_NAME = { W: 'W', b: 'b', gamma: 'γ', beta: 'β' } as const;

const STAGES: StageName[] = ['data', 'gradcheck', 'curves', 'coarse', 'fine', 'final', 'sigma'];

/** "1–5, 9, 11–12" */
export function seedList(seeds: readonly number[]): string {
  const xs = [...new Set(seeds)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    parts.push(j - i >= 2 ? `${xs[i]}–${xs[j]}` : xs.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}

interface Doc {
  lines: string[];
  files: Record<string, string>;
  p(...text: string[]): void;
  h(level: number, text: string): void;
  list(items: string[]): void;
  table(t: Table): void;
  chart(file: string, alt: string, svg: string): void;
}

/** Collects the README's lines and the files beside it, in the order they are written. */
function newDoc(): Doc {
  const lines: string[] = [];
  const files: Record<string, string> = {};
  return {
    lines,
    files,
    p: (...text) => void lines.push(text.join(' '), ''),
    h: (level, text) => void lines.push(`${'#'.repeat(level)} ${text}`, ''),
    list(items) {
      for (const item of items) lines.push(`- ${item}`);
      lines.push('');
    },
    table(t) {
      lines.push(markdownTable(t), '', `CSV: [${t.file}](${t.file})`, '');
      files[t.file] = csvText(t);
    },
    chart(file, alt, svg) {
      files[file] = svg;
      lines.push(`![${alt}](${file})`, '');
    },
  };
}

function meanStdCells(s: Sample): string[] {
  return SPLITS.map((k) => pctMeanStd(s.summary[k].mean, s.summary[k].std));
}

function meanStdCsv(s: Sample): (number | null)[] {
  return SPLITS.flatMap((k) => [s.summary[k].mean, Number.isFinite(s.summary[k].std) ? s.summary[k].std : null]);
}

const MEAN_STD_CSV_HEADER = SPLITS.flatMap((k) => [`${k}_accuracy_mean`, `${k}_accuracy_std`]);
const SPLIT_HEADERS = SPLITS.map((k) => `${SPLIT_LABEL[k]} (%)`);

function groupsTable(file: string, groups: readonly CurveGroup[], withSigma: boolean): Table {
  const samples = groups.map(groupSample);
  return {
    file,
    header: [withSigma ? 'σ' : 'init', 'net', 'seeds', ...SPLIT_HEADERS, 'diverged'],
    align: ['l', 'l', 'r', 'r', 'r', 'r', 'r'],
    rows: groups.map((g, i) => [
      isSigmaGroup(g) ? formatSigma(g.sigma) : initLabel(g.net),
      netLabel(g.net),
      String(g.runs.length),
      ...meanStdCells(samples[i]),
      String(samples[i].diverged),
    ]),
    csvHeader: [...(withSigma ? ['sigma'] : []), 'layers', 'hidden', 'batch_norm', 'init', 'lambda', 'seeds', ...MEAN_STD_CSV_HEADER, 'diverged'],
    csvRows: groups.map((g, i) => [
      ...(withSigma ? [isSigmaGroup(g) ? g.sigma : null] : []),
      g.net.hidden.length + 1,
      g.net.hidden.join(' '),
      g.net.batchNorm,
      initLabel(g.net),
      g.lambda,
      g.runs.map((r) => r.seed).join(' '),
      ...meanStdCsv(samples[i]),
      samples[i].diverged,
    ]),
  };
}

/** The comparisons on test accuracy in Markdown; all three splits in the CSV. */
function comparisonsTable(file: string, comparisons: readonly Comparison[]): Table {
  return {
    file,
    header: ['comparison', 'fixed', 'from (test %)', 'to (test %)', 'difference (pp)', '95 % CI (pp)', 'Welch df', 'verdict'],
    align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'],
    rows: comparisons.map((c) => {
      const w = c.welch.test;
      return [
        c.factor === 'batch norm' ? 'no BN → BN' : c.actor.replace(/^going from (\d+) to (\d+) layers$/, '$1 → $2 layers'),
        c.factor === 'batch norm' ? c.subject : c.context,
        pctMeanStd(c.a.summary.test.mean, c.a.summary.test.std),
        pctMeanStd(c.b.summary.test.mean, c.b.summary.test.std),
        pp(w.diff),
        w.interval ? intervalText(w.interval.lo, w.interval.hi).replace(/ pp$/, '') : 'undefined',
        w.interval && Number.isFinite(w.interval.df) ? w.interval.df.toFixed(1) : '—',
        verdict(c),
      ];
    }),
    csvHeader: ['stage', 'factor', 'fixed', 'from', 'to', 'split', 'n_from', 'mean_from', 'std_from', 'n_to', 'mean_to', 'std_to', 'difference', 'ci95_low', 'ci95_high', 'welch_df', 'verdict'],
    csvRows: comparisons.flatMap((c) =>
      SPLITS.map((k) => {
        const w = c.welch[k];
        const [a, b] = [c.a.summary[k], c.b.summary[k]];
        return [
          c.stage, c.factor, c.factor === 'batch norm' ? c.subject : c.context, c.a.label, c.b.label, k,
          a.n, a.mean, Number.isFinite(a.std) ? a.std : null, b.n, b.mean, Number.isFinite(b.std) ? b.std : null,
          w.diff, w.interval?.lo ?? null, w.interval?.hi ?? null, w.interval && Number.isFinite(w.interval.df) ? w.interval.df : null, verdict(c, k),
        ];
      }),
    ),
  };
}

function searchRows(trials: readonly SearchTrial[]): { md: string[][]; csv: (number | boolean)[][] } {
  return {
    md: trials.map((t) => [formatLambda(t.lambda), pct(t.accuracy.train), pct(t.accuracy.validation), t.diverged ? 'yes' : 'no']),
    csv: trials.map((t) => [t.lambda, t.seed, t.accuracy.train, t.accuracy.validation, t.accuracy.test, t.diverged]),
  };
}

const SEARCH_CSV_HEADER = ['lambda', 'seed', 'train_accuracy', 'validation_accuracy', 'test_accuracy', 'diverged'];

const byValidation = (a: SearchTrial, b: SearchTrial) =>
  Number(a.diverged) - Number(b.diverged) || b.accuracy.validation - a.accuracy.validation;

export function renderReport(results: StudyResults, document: ReportDocument): RenderedReport {
  const d = newDoc();
  const { data, gradcheck, curves, coarse, fine, final, sigma } = results;
  const chance = 1 / data.classes.length;

  const curvesBn = bnComparisons('curves', curves.groups);
  const curvesDepth = depthComparisons(curves.groups);
  const sigmaBn = bnComparisons('sigma', sigma.groups);
  const finalSamples = final.groups.map((g) => sample(g.name, g.runs));
  const finalDepth =
    final.groups.length >= 2 && final.groups[0].net.hidden.length !== final.groups[final.groups.length - 1].net.hidden.length
      ? compare(
          depthWording('final', final.groups[0].net, final.groups[final.groups.length - 1].net, `in the final evaluation ${final.groups[0].net.batchNorm ? 'with' : 'without'} batch norm and λ = ${formatLambda(final.lambda)}`),
          finalSamples[0],
          finalSamples[finalSamples.length - 1],
        )
      : undefined;

  d.h(1, `${results.title ?? 'bnlab study report'}: profile \`${results.profile}\``);
  d.p(
    `This report ran on ${results.dataNote}.`,
    'Every number, chart and sentence in it is computed from the stage results (`result.json`) by the pipeline\'s report stage; each table is also a CSV file beside this one, and [report.html](report.html) is the same report as one file.',
  );

  // Conclusions first: they are what a reader came for; the evidence follows.
  d.h(2, 'Conclusions');
  d.list([
    gradcheckSentence(gradcheck),
    ...curvesBn.map((c) => comparisonSentence(c)),
    ...curvesDepth.map((c) => comparisonSentence(c)),
    ...sigmaBn.map((c) => comparisonSentence(c)),
    ...chanceSentences(results),
    searchSentence(results),
    ...finalSentences(results, finalDepth),
  ]);
  d.p(
    `Differences are mean(to) − mean(from) over seeds, in percentage points, with a Welch 95 % confidence interval (Welch–Satterthwaite degrees of freedom); "within noise" means the interval contains 0.`,
    `Chance level means a mean test accuracy within ${(CHANCE_MARGIN * 100).toFixed(0)} pp of 1/classes.`,
  );

  d.h(2, 'Data');
  d.p(`Data set \`${data.dataset}\`: ${data.classes.length} classes (${data.classes.join(', ')}), ${data.dimensions} input dimensions.`);
  d.table({
    file: 'data.csv',
    header: ['preparation', 'training', 'validation', 'test', 'fingerprint (sha256)'],
    align: ['l', 'r', 'r', 'r', 'l'],
    rows: data.preparations.map((p) => [p.name, String(p.splits.train), String(p.splits.validation), String(p.splits.test), `\`${p.fingerprint}\``]),
    csvHeader: ['preparation', 'validation_size', 'train', 'validation', 'test', 'fingerprint'],
    csvRows: data.preparations.map((p) => [p.name, p.validation, p.splits.train, p.splits.validation, p.splits.test, p.fingerprint]),
  });

  d.h(2, 'Provenance');
  const headers = STAGES.map((s) => ({ stage: s, header: results[s as Exclude<StageName, 'report'>] }));
  const trials: Partial<Record<StageName, number>> = {
    curves: curves.groups.reduce((n, g) => n + g.runs.length, 0),
    coarse: coarse.trials.length,
    fine: fine.centres.reduce((n, c) => n + c.trials.length, 0),
    final: final.groups.reduce((n, g) => n + g.runs.length, 0),
    sigma: sigma.groups.reduce((n, g) => n + g.runs.length, 0),
  };
  const seconds = (s: StageName) => results.computeSeconds[s];
  const total = STAGES.reduce((t, s) => t + (seconds(s) ?? 0), 0);
  const totalTrials = Object.values(trials).reduce((a, b) => a + (b ?? 0), 0);
  d.table({
    file: 'provenance.csv',
    header: ['stage', 'configuration hash', 'engine', 'kernel', 'trials', 'compute time'],
    align: ['l', 'l', 'l', 'l', 'r', 'r'],
    rows: [
      ...headers.map(({ stage, header }) => [
        stage,
        `\`${header.configHash.slice(0, 12)}\``,
        `\`${header.engine}\``,
        `\`${header.kernel}\``,
        trials[stage] === undefined ? '—' : String(trials[stage]),
        seconds(stage) === undefined ? '—' : duration(seconds(stage)!),
      ]),
      // A stage whose trial records are not all in the store has no figure: the total is then a lower bound.
      ['total', '', '', '', String(totalTrials), `${Object.keys(trials).some((s) => seconds(s as StageName) === undefined) ? '≥ ' : ''}${duration(total)}`],
    ],
    csvHeader: ['stage', 'config_hash', 'engine', 'kernel', 'trials', 'compute_seconds'],
    csvRows: headers.map(({ stage, header }) => [stage, header.configHash, header.engine, header.kernel, trials[stage] ?? null, seconds(stage) ?? null]),
    bold: [headers.length],
  });
  d.p(
    'Configuration hashes are sha256 of each stage\'s resolved configuration (canonical JSON; the first 12 hex digits shown, all in the CSV).',
    'Compute time is the sum of the trial records\' training times (each trial once, on whichever machine trained it), not the wall time of a run.',
  );
  d.list([
    `Seeds of the training curves: ${seedList(curves.groups.flatMap((g) => g.runs.map((r) => r.seed)))} (each configuration with every seed).`,
    `Seeds of the σ study: ${seedList(sigma.groups.flatMap((g) => g.runs.map((r) => r.seed)))}.`,
    `Seeds of the coarse search: ${seedList(coarse.trials.map((t) => t.seed))}; of the fine search: ${seedList(fine.centres.flatMap((c) => c.trials.map((t) => t.seed)))}.`,
    `Seeds of the final evaluation: ${seedList(final.groups.flatMap((g) => g.runs.map((r) => r.seed)))}.`,
  ]);

  d.h(2, 'Gradient check');
  d.p(
    `Relative error ‖g_a − g_n‖ / (‖g_a‖ + ‖g_n‖) between the analytic gradient and a centred-difference numerical one (h = ${sci(gradcheck.h)}), on the first ${gradcheck.dims} input dimensions of ${gradcheck.samples} samples, λ = ${sci(gradcheck.lambda)}; threshold ${sci(gradcheck.threshold)}.`,
    gradcheckSentence(gradcheck),
  );
  d.chart('gradcheck.svg', 'Gradient check: relative error per layer and parameter, with and without batch norm, against the threshold', gradcheckChart(gradcheck, document, 'gradcheck'));
  // One row per net and parameter, one column per layer: the long form is in the CSV.
  const checks = gradcheck.nets.flatMap((n) => n.checks.map((c) => ({ n, c })));
  const layers = Math.max(0, ...checks.map(({ c }) => c.layer));
  const layerColumns = Array.from({ length: layers }, (_, i) => i + 1);
  const pivot = gradcheck.nets.flatMap((n) =>
    PARAMETERS.filter((p) => n.checks.some((c) => c.parameter === p)).map((p) => ({ n, p })),
  );
  d.table({
    file: 'gradcheck.csv',
    header: ['net', 'parameter', ...layerColumns.map((l) => `layer ${l}`)],
    align: ['l', 'l', ...layerColumns.map(() => 'r' as const)],
    rows: pivot.map(({ n, p }) => [
      netLabel(n),
      PARAMETER_NAME[p],
      ...layerColumns.map((l) => {
        const c = n.checks.find((x) => x.parameter === p && x.layer === l);
        if (!c) return '';
        return c.relativeError <= gradcheck.threshold ? sci(c.relativeError) : `**${sci(c.relativeError)}**`;
      }),
    ]),
    csvHeader: ['layers', 'hidden', 'batch_norm', 'parameter', 'layer', 'relative_error', 'threshold', 'passed'],
    csvRows: checks.map(({ n, c }) => [n.hidden.length + 1, n.hidden.join(' '), n.batchNorm, c.parameter, c.layer, c.relativeError, gradcheck.threshold, c.relativeError <= gradcheck.threshold]),
  });
  d.p(`Relative errors above the threshold are in bold; an empty cell is a parameter the net does not have.`);

  d.h(2, 'Training curves');
  d.p(
    'Cost (loss + L2 term), loss and accuracy on the training and validation sets over update steps, for each net with and without batch norm.',
    'Lines are the mean over seeds, bands the minimum to maximum over seeds.',
  );
  for (const g of curves.groups) {
    d.h(3, `${netLabel(g.net)} (${initLabel(g.net)})`);
    const file = `curves-${groupSlug(g)}.svg`;
    d.chart(file, curvesTitle(g), curvesChart(g, document, file.replace(/\.svg$/, '')));
  }
  d.h(3, 'Final accuracies of the training-curve runs');
  d.p('Mean ± sample standard deviation over seeds, in percent.');
  d.table(groupsTable('curves.csv', curves.groups, false));
  d.h(3, 'Batch norm and depth, with 95 % intervals');
  d.table(comparisonsTable('curves-comparisons.csv', [...curvesBn, ...curvesDepth]));

  d.h(2, 'Coarse search for λ');
  d.p(
    `${coarse.trials.length} values λ = 10^u, u uniform in [${coarse.exponentMin}, ${coarse.exponentMax}], one run each (${netLabel(coarse.net)}, ${plural(coarse.cycles, 'cycle')}); the best ${coarse.best.length} by validation accuracy:`,
  );
  const coarseBest = searchRows(coarse.best);
  d.table({
    file: 'coarse.csv',
    header: ['rank', 'λ', 'training (%)', 'validation (%)', 'diverged'],
    align: ['r', 'r', 'r', 'r', 'l'],
    rows: coarseBest.md.map((r, i) => [String(i + 1), ...r]),
    csvHeader: ['rank', ...SEARCH_CSV_HEADER],
    csvRows: coarseBest.csv.map((r, i) => [i + 1, ...r]),
  });
  d.chart('coarse.svg', 'Coarse search: validation accuracy against λ (log scale), best marked', coarseChart(coarse, document, 'coarse'));
  d.files['coarse-trials.csv'] = csvText({ file: 'coarse-trials.csv', header: [], rows: [], align: [], csvHeader: SEARCH_CSV_HEADER, csvRows: searchRows(coarse.trials).csv });
  d.p('Every trial: [coarse-trials.csv](coarse-trials.csv).');

  d.h(2, 'Fine search for λ');
  const perCentre = Math.min(3, ...fine.centres.map((c) => c.trials.length));
  d.p(
    `${fine.centres.reduce((n, c) => n + c.trials.length, 0)} values drawn uniformly within ±${formatLambda(fine.halfWidth)} of each coarse best (floor ${formatLambda(fine.floor)}), one run each (${netLabel(fine.net)}, ${plural(fine.cycles, 'cycle')}); the best ${perCentre} per centre, the best overall in bold:`,
  );
  const fineRows = fine.centres.flatMap((c) => [...c.trials].sort(byValidation).slice(0, perCentre).map((t) => ({ centre: c.centre, t })));
  const bestIndex = fineRows.findIndex((r) => r.t.hash === fine.best.hash && r.t.lambda === fine.best.lambda);
  d.table({
    file: 'fine.csv',
    header: ['centre', 'λ', 'training (%)', 'validation (%)', 'diverged'],
    align: ['r', 'r', 'r', 'r', 'l'],
    rows: fineRows.map(({ centre, t }) => [formatLambda(centre), ...searchRows([t]).md[0]]),
    csvHeader: ['centre', ...SEARCH_CSV_HEADER, 'best'],
    csvRows: fineRows.map(({ centre, t }, i) => [centre, ...searchRows([t]).csv[0], i === bestIndex]),
    bold: bestIndex >= 0 ? [bestIndex] : [],
  });
  d.chart('fine.svg', 'Fine search: validation accuracy against λ per centre, best marked', fineChart(fine, document, 'fine'));
  d.files['fine-trials.csv'] = csvText({
    file: 'fine-trials.csv', header: [], rows: [], align: [],
    csvHeader: ['centre', ...SEARCH_CSV_HEADER],
    csvRows: fine.centres.flatMap((c) => searchRows(c.trials).csv.map((r) => [c.centre, ...r])),
  });
  d.p('Every trial: [fine-trials.csv](fine-trials.csv).');

  d.h(2, 'Final evaluation');
  d.p(`The best λ = ${formatLambda(final.lambda)}, ${plural(final.cycles, 'cycle')}, trained on the final preparation's training set; mean ± sample standard deviation over runs with different seeds.`);
  d.table({
    file: 'final.csv',
    header: ['net', 'runs', ...SPLIT_HEADERS, 'diverged'],
    align: ['l', 'r', 'r', 'r', 'r', 'r'],
    // The result file's mean and std; with one run there is no std to show (the pipeline writes 0).
    rows: final.groups.map((g, i) => [g.name, String(g.runs.length), ...SPLITS.map((k) => pctMeanStd(g.mean[k], g.runs.length > 1 ? g.std[k] : NaN)), String(finalSamples[i].diverged)]),
    csvHeader: ['net', 'layers', 'hidden', 'batch_norm', 'runs', ...MEAN_STD_CSV_HEADER, 'diverged'],
    csvRows: final.groups.map((g, i) => [g.name, g.net.hidden.length + 1, g.net.hidden.join(' '), g.net.batchNorm, g.runs.length, ...SPLITS.flatMap((k) => [g.mean[k], g.runs.length > 1 ? g.std[k] : null]), finalSamples[i].diverged]),
  });
  d.chart('final.svg', 'Final evaluation: the spread of the runs, mean ± std per split and net', finalSpreadChart(final, document, 'final'));
  d.files['final-runs.csv'] = csvText({
    file: 'final-runs.csv', header: [], rows: [], align: [],
    csvHeader: ['net', 'seed', 'train_accuracy', 'validation_accuracy', 'test_accuracy', 'diverged'],
    csvRows: final.groups.flatMap((g) => g.runs.map((r) => [g.name, r.seed, r.accuracy.train, r.accuracy.validation, r.accuracy.test, r.diverged])),
  });
  d.p('Every run: [final-runs.csv](final-runs.csv).');
  if (finalDepth) d.p(comparisonSentence(finalDepth));

  d.h(2, 'Sensitivity to initialisation (σ study)');
  d.p(
    'Every weight drawn from N(0, σ²) instead of He initialisation; otherwise the same hyper-parameters. Mean ± sample standard deviation over seeds, in percent.',
  );
  d.chart('sigma.svg', 'σ study: test accuracy by σ, depth and batch norm', sigmaChart(sigma, document, { chance }, 'sigma'));
  d.table(groupsTable('sigma.csv', sigma.groups, true));
  d.h(3, 'Batch norm per depth and σ, with 95 % intervals');
  d.table(comparisonsTable('sigma-comparisons.csv', sigmaBn));
  for (const s of [...new Set(sigma.groups.map((g) => g.sigma))]) {
    d.h(3, `Curves with σ = ${formatSigma(s)}`);
    for (const g of sigma.groups.filter((x) => x.sigma === s)) {
      const file = `curves-${groupSlug(g)}.svg`;
      d.chart(file, curvesTitle(g), curvesChart(g, document, file.replace(/\.svg$/, '')));
    }
  }

  const readme = d.lines.join('\n').replace(/\n+$/, '\n');
  const svgs = Object.fromEntries(Object.entries(d.files).filter(([name]) => name.endsWith('.svg')));
  return {
    files: {
      'README.md': readme,
      ...d.files,
      'report.html': markdownToHtml(readme, svgs, `${results.title ?? 'bnlab study report'}: ${results.profile}`),
    },
  };
}
