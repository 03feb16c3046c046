// Each stage's report section as the page shows it: rendered by stages/report.ts's stageSection (the
// kind's own `section`, the report's own blocks) to an HTML fragment, so the page and the published
// report never disagree. Sections are rendered as the report renders them, in declared order with one
// set of file names (a later section's chart names depend on the earlier ones'), and kept until a
// result before or at the stage changes (modification time and size of each result.json).
import { statSync } from 'node:fs';
import { blockFiles, conclusionBlocks, renderHtmlFragment, sectionBlocks, type DataStageResult } from '@bnlab/report';
import { resultFile, resultState, type StageEnv } from '../stages/context.js';
import { REPORT_FILES, stageSection, withDocument } from '../stages/report.js';

export interface RenderedSection {
  /** The report's conclusions for the stage (what its Conclusions list says under the stage's name), as HTML. */
  conclusions: string;
  /** The stage's section of the report (heading and blocks), as HTML. */
  html: string;
  /** The files the section writes beside the report (CSVs, SVGs), by name. */
  files: Record<string, string>;
}

/** Why a stage has no section to show, for the page. */
export interface NoSection {
  none: string;
}

interface Entry {
  /** What the rendering depended on: the configuration and the results up to this stage. */
  key: string;
  section: RenderedSection | NoSection;
  /** File names taken after this stage (the next stage starts from them). */
  taken: string[];
}

/** Section renderers per profile; `open` gives the profile's study environment (cached by the caller). */
export function sectionCache(open: (profile: string) => { env: StageEnv; configKey: string }) {
  const cache = new Map<string, Entry[]>();

  function sections(profile: string): { stages: string[]; entries: Entry[] } {
    const { env, configKey } = open(profile);
    const stages = env.study.stages.map((s) => s.name);
    const keys: string[] = [];
    let key = `${configKey}|${stamp(resultFile(env.workspace, profile, 'data'))}`;
    for (const s of stages) keys.push((key = `${key}|${stamp(resultFile(env.workspace, profile, s))}`));
    const old = cache.get(profile) ?? [];
    let same = 0;
    while (same < stages.length && old[same]?.key === keys[same]) same++;
    if (same === stages.length) return { stages, entries: old };
    const entries = old.slice(0, same);
    const data = resultState(env, 'data');
    withDocument((document) => {
      const files = new Set<string>(same > 0 ? old[same - 1].taken : REPORT_FILES);
      for (let i = same; i < stages.length; i++) {
        const stage = env.study.stages[i];
        let section: RenderedSection | NoSection;
        const state = resultState(env, stage.name);
        if (data.state !== 'current') section = { none: 'the data stage has no current result' };
        else if (state.state !== 'current') section = { none: state.state === 'missing' ? 'no result yet' : `the result is ${state.state}: ${state.why}` };
        else {
          try {
            const s = stageSection(env, stage, state.value as Record<string, unknown>, { data: data.value as DataStageResult, document, files });
            section = s ? { conclusions: renderHtmlFragment(conclusionBlocks(s)), html: renderHtmlFragment(sectionBlocks(s)), files: blockFiles(s.blocks, { profile: env.study.profile, dataset: (data.value as DataStageResult).dataset }) } : { none: `a ${stage.kind} stage has no section` };
          } catch (err) {
            section = { none: `its section could not be rendered: ${err instanceof Error ? err.message : String(err)}` };
          }
        }
        entries.push({ key: keys[i], section, taken: [...files] });
      }
    });
    cache.set(profile, entries);
    return { stages, entries };
  }

  return {
    /** The stage's section, why it has none, or undefined for a stage the profile does not declare. */
    section(profile: string, stage: string): RenderedSection | NoSection | undefined {
      const { stages, entries } = sections(profile);
      const i = stages.indexOf(stage);
      return i < 0 ? undefined : entries[i].section;
    },
  };
}

function stamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return '-';
  }
}
