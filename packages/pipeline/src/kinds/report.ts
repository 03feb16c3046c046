// report (built-in kind): renders report/<profile>/ from every other stage's result, one section per
// stage in the declared order (stages/report.ts does the work; loaded only when run).
import type { Kind } from './kind.js';

export interface ReportSettings {
  title: string;
}

export const report: Kind<ReportSettings, unknown> = {
  name: 'report',
  description: 'render the report (Markdown, SVG, CSV, HTML) from every other stage',
  keeps: false,
  readsData: true,
  schema: {
    description: 'The rendered report (report/<profile>/): one section per stage, in the declared order.',
    properties: { title: { description: "The report's heading.", type: 'string', minLength: 1 } },
  },
  from: () => [],
  resolve: (raw) => ({ title: (raw.title as string | undefined) ?? 'bnlab study report' }),
  // The report (jsdom, Plot) loads only when used: seconds of start-up otherwise.
  run: async (stage, o) => (await import('../stages/report.js')).runReportStage(stage, o),
};
