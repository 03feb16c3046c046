// The seeded draws of search and refine stages, from the engine's generator with the stage's seed: the
// same seed gives the same values on any machine. One generator per stage, one uniform number per
// drawn option, options in declared order within each sample.
import { createRng, uniform, type OptionValue } from '@bnlab/engine';

export type Distribution = { logUniform: [number, number] } | { uniform: [number, number] } | { choice: OptionValue[] };

/** `samples` draws of every option of `space`, in order; integer options are rounded. */
export function drawSpace(space: readonly { name: string; dist: Distribution; integer?: boolean }[], samples: number, seed: number): Record<string, OptionValue>[] {
  const rng = createRng(seed);
  const out: Record<string, OptionValue>[] = [];
  for (let i = 0; i < samples; i++) {
    const values: Record<string, OptionValue> = {};
    for (const { name, dist, integer } of space) {
      const u = uniform(rng);
      let v: OptionValue;
      if ('logUniform' in dist) {
        const [a, b] = dist.logUniform.map(Math.log10);
        v = 10 ** (a + (b - a) * u);
      } else if ('uniform' in dist) {
        const [a, b] = dist.uniform;
        v = a + (b - a) * u;
      } else {
        v = dist.choice[Math.min(dist.choice.length - 1, Math.floor(u * dist.choice.length))];
      }
      values[name] = integer && typeof v === 'number' ? Math.round(v) : v;
    }
    out.push(values);
  }
  return out;
}

export interface Around {
  name: string;
  /** ±relative·value, or ±absolute. */
  width: { relative: number } | { absolute: number };
  /** Draws are clipped to [lo, hi] (the option's range narrowed by the stage's min / max). */
  lo: number;
  hi: number;
  integer?: boolean;
}

/**
 * For each centre in turn, `samples` draws uniform in [c − w, c + w) for every option of `around`
 * (the centre's other values kept), clipped to [lo, hi] (never an error).
 */
export function drawAround(centres: readonly Record<string, OptionValue>[], around: readonly Around[], samples: number, seed: number): Record<string, OptionValue>[][] {
  const rng = createRng(seed);
  return centres.map((centre) => {
    const out: Record<string, OptionValue>[] = [];
    for (let i = 0; i < samples; i++) {
      const values = { ...centre };
      for (const a of around) {
        const c = centre[a.name] as number;
        const w = 'relative' in a.width ? a.width.relative * Math.abs(c) : a.width.absolute;
        const v = Math.min(a.hi, Math.max(a.lo, c + w * (2 * uniform(rng) - 1)));
        values[a.name] = a.integer ? Math.round(v) : v;
      }
      out.push(values);
    }
    return out;
  });
}
