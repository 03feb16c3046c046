export type * from './results.js';
export { renderStudyReport, reportBlocks, sectionBlocks, conclusionBlocks, type StudyReport, type ReportSection, type SettingsRow, type RenderedReport } from './study.js';
export { blockFiles, renderMarkdown, renderHtml, renderHtmlFragment, heading, paragraph, list, warning, table, chart, type Block } from './blocks.js';
export type { Table, CsvValue } from './tables.js';
export {
  factorComparisons, comparisonSentence, chanceSentences, intervalText, bestValueSentences, groupsTable, comparisonsTable, groupSample, uniqueSlugs, verdict,
  CHANCE_MARGIN, type Factor, type FactorGroup, type FactorRun, type FactorValue, type FactorComparison,
} from './factors.js';
export { sample, SPLITS, type Sample, type SplitName } from './groups.js';
export { pct, pctMeanStd, pp, lambda as formatLambda, sci, duration, plural } from './format.js';
export type { ReportDocument } from './charts/svg.js';
export { gradcheckChart } from './charts/gradcheck.js';
export { curvesChart, curvesTitle } from './charts/curves.js';
export { coarseChart, fineChart } from './charts/search.js';
export { finalSpreadChart } from './charts/final-spread.js';
export { sigmaChart } from './charts/sigma.js';
export { factorChart, overlayCurvesChart, scatterChart, type ScatterPoint } from './charts/factor.js';
export { welch, summarize, mean, std, type Welch, type Summary } from './stats.js';
export { tQuantile, tCdf } from './student-t.js';
