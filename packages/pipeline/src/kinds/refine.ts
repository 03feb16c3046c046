// refine: draws around each value kept by an earlier search or refine (`from`): for every option of
// `around`, uniform within ±relative·value or ±absolute of the kept value, clipped to the option's
// range (narrowed by `min` / `max`); the kept value's other options are kept. Keeps the best `keep`.
import type { OptionValue } from '@bnlab/engine';
import { paragraph, plural, type Block, type NetSpec } from '@bnlab/report';
import { formatValue, optionRange, studyOption } from '../config/options.js';
import { rankTrials } from '../stages/aggregate.js';
import { stageHeader } from '../stages/context.js';
import { drawAround, type Around } from '../stages/search.js';
import { recordOf } from '../stages/stage.js';
import { applyValues, makeTrial, preparation, type Setup } from '../stages/trials.js';
import { figures, FROM_SCHEMA, netSpecOf, PREPARATION_SCHEMA, SEED_SCHEMA, TRAINING_SCHEMA, valuesText, type DrawnTrial } from './common.js';
import type { Kind } from './kind.js';
import { drawnConclusions, drawnSection } from './search.js';

export interface RefineSettings {
  from: string;
  /** How many values the `from` stage keeps (the number of centres). */
  centres: number;
  around: Around[];
  samples: number;
  seed: number;
  trialSeed: number;
  keep: number;
  preparation: string;
  base: Setup;
  nets: Record<string, number[]>;
}

export interface RefineResult {
  stage: string;
  kind: 'refine';
  profile: string;
  configHash: string;
  engine: string;
  kernel: string;
  from: string;
  around: Around[];
  net: NetSpec & { name: string };
  centres: { values: Record<string, OptionValue>; trials: DrawnTrial[] }[];
  best: DrawnTrial[];
}

/** The kept values of a search or refine result, best first. */
export function keptValues(result: unknown): Record<string, OptionValue>[] {
  return (result as { best: DrawnTrial[] }).best.map((t) => t.values);
}

export const refine: Kind<RefineSettings, RefineResult> = {
  name: 'refine',
  description: 'draws around the values an earlier search kept; keeps the best',
  keeps: true,
  readsData: true,
  schema: {
    description: "Draws around each value an earlier search or refine kept (`from`), clipped to the option's range; keeps the best `keep`.",
    required: ['from', 'around', 'samples'],
    properties: {
      from: FROM_SCHEMA,
      around: {
        description: 'Option → its window: relative: r (±r·value) or absolute: w (±w); min / max narrow the clipping range.',
        type: 'object',
        minProperties: 1,
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: {
            relative: { type: 'number', exclusiveMinimum: 0 },
            absolute: { type: 'number', exclusiveMinimum: 0 },
            min: { type: 'number' },
            max: { type: 'number' },
          },
        },
      },
      samples: { description: 'Draws per kept value.', type: 'integer', minimum: 1, maximum: 10000, limitHint: 'one trial per draw; the reference drew 50' },
      seed: { ...SEED_SCHEMA, description: 'Seed of the draws (default 1).' },
      trialSeed: { ...SEED_SCHEMA, description: 'Seed every trial trains with (default 1).' },
      keep: { description: 'How many of the best trials a later stage starts from (default 1).', type: 'integer', minimum: 1, maximum: 100, limitHint: 'the reference kept 3' },
      preparation: PREPARATION_SCHEMA,
      training: TRAINING_SCHEMA,
    },
  },
  from: (raw) => (typeof raw.from === 'string' ? [raw.from] : []),
  resolve(raw, ctx) {
    const from = raw.from as string;
    const up = ctx.from(from, ['from'], true);
    const upSettings = up?.settings as { base?: Setup; nets?: Record<string, number[]>; keep?: number } | undefined;
    const around: Around[] = [];
    for (const [name, w] of Object.entries((raw.around ?? {}) as Record<string, { relative?: number; absolute?: number; min?: number; max?: number }>)) {
      if (!ctx.checkOption(name, ['around', name])) continue;
      const o = studyOption(name)!;
      if (o.type !== 'number' && o.type !== 'integer') {
        ctx.problem(['around', name], `${name} is not numeric: a refine draws around numbers`);
        continue;
      }
      if ((w.relative === undefined) === (w.absolute === undefined)) {
        ctx.problem(['around', name], 'give exactly one of relative: r (±r·value) and absolute: w (±w)');
        continue;
      }
      const r = optionRange(o);
      // An exclusive bound cannot be reached: clip just inside it.
      const inside = (b: number, up: boolean) => b + (up ? -1 : 1) * 1e-12 * Math.max(1, Math.abs(b));
      const lo = Math.max(r.loExclusive ? inside(r.lo, false) : r.lo, w.min ?? -Infinity);
      const hi = Math.min(r.hiExclusive ? inside(r.hi, true) : r.hi, w.max ?? Infinity);
      if (w.min !== undefined) ctx.checkValue(name, w.min, ['around', name, 'min']);
      if (w.max !== undefined) ctx.checkValue(name, w.max, ['around', name, 'max']);
      around.push({ name, width: w.relative !== undefined ? { relative: w.relative } : { absolute: w.absolute! }, lo, hi, ...(o.type === 'integer' ? { integer: true } : {}) });
    }
    const samples = raw.samples as number;
    const training = ctx.training();
    const base: Setup = upSettings?.base ? { net: upSettings.base.net, training } : { net: ctx.net(ctx.netNames[0] ?? '', false, ['from']), training };
    return {
      from,
      centres: upSettings?.keep ?? 1,
      around,
      samples,
      seed: (raw.seed as number | undefined) ?? 1,
      trialSeed: (raw.trialSeed as number | undefined) ?? 1,
      keep: (raw.keep as number | undefined) ?? 1,
      preparation: (raw.preparation as string | undefined) ?? 'main',
      base,
      nets: upSettings?.nets ?? {},
    };
  },
  configuredTrials: (s) => s.centres * s.samples,
  plan(stage, { env, data, upstream }) {
    const s = stage.settings;
    const prep = preparation(data, s.preparation);
    const centres = keptValues(upstream(s.from));
    const draws = drawAround(centres, s.around, s.samples, s.seed);
    const perCentre = draws.map((list, c) =>
      list.map((values, i) => makeTrial(env, prep, applyValues(s.base, values, s.nets), s.trialSeed, `${stage.name} centre ${c + 1} #${i + 1} ${valuesText(values)}`)),
    );
    return {
      trials: perCentre.flat(),
      aggregate: (records) => {
        const groups = centres.map((values, c) => ({
          values,
          trials: perCentre[c].map((t, i) => ({ values: draws[c][i], ...figures(s.trialSeed, t.hash, recordOf(records, t).result) })),
        }));
        return {
          ...stageHeader(env, stage.name),
          kind: 'refine',
          from: s.from,
          around: s.around,
          net: netSpecOf(s.base),
          centres: groups,
          best: rankTrials(groups.flatMap((g) => g.trials)).slice(0, s.keep),
        };
      },
    };
  },
  trialHashes: (r) => r.centres.flatMap((c) => c.trials.map((t) => t.hash)),
  kept: (r) => r.best.map((t) => ({ values: t.values })),
  training: (s) => s.base.training,
  section(r, ctx) {
    const trials = r.centres.flatMap((c) => c.trials);
    const widths = r.around.map((a) => `${studyOption(a.name)?.label ?? a.name} within ${'relative' in a.width ? `±${a.width.relative * 100} %` : `±${formatValue(a.name, a.width.absolute)}`}`);
    // The edge of a refine's range is the kept value's window (or the option's range where clipped).
    const windows = r.around.map((a) => {
      const xs = trials.map((t) => t.values[a.name] as number);
      return { name: a.name, lo: Math.min(...xs), hi: Math.max(...xs) };
    });
    const blocks: Block[] = [
      paragraph(
        `${plural(trials.length, 'draw')} around the ${plural(r.centres.length, 'value')} '${r.from}' kept (${widths.join(', ')}), one run each (${r.net.name}, ${r.net.batchNorm ? 'BN' : 'no BN'}); the best ${r.best.length}:`,
      ),
      ...drawnSection(r.stage, trials, r.best, windows, ctx),
    ];
    return { blocks, conclusions: drawnConclusions(r.stage, trials, r.best, []) };
  },
};
