// The λ draws of the searches, from the engine's seeded generator with the stage's seed: the same
// seed gives the same λs on any machine.
import { createRng, uniform } from '@bnlab/engine';

/** λ = 10^u, u uniform in [exponentMin, exponentMax), `samples` draws in order. */
export function coarseLambdas(exponentMin: number, exponentMax: number, samples: number, seed: number): number[] {
  const rng = createRng(seed);
  const out: number[] = [];
  for (let i = 0; i < samples; i++) out.push(10 ** (exponentMin + (exponentMax - exponentMin) * uniform(rng)));
  return out;
}

/**
 * For each centre in turn, `samples` draws uniform in [centre − halfWidth, centre + halfWidth);
 * a draw below `floor` is clipped to it (λ must stay positive; never an error).
 */
export function fineLambdas(centres: readonly number[], halfWidth: number, floor: number, samples: number, seed: number): number[][] {
  const rng = createRng(seed);
  return centres.map((c) => {
    const out: number[] = [];
    for (let i = 0; i < samples; i++) out.push(Math.max(floor, c + halfWidth * (2 * uniform(rng) - 1)));
    return out;
  });
}
