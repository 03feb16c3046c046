// The engine's identity: which numbers it computes. A trial's hash includes engineIdentity(kernelId),
// so results are reused only by an engine that would compute the same bits.
//
// Bump ENGINE_NUMERICS_VERSION whenever any number the engine produces would change for the same
// configuration, seed and kernel (an operation order, a default, the RNG, the initialisation, the
// schedule…). The golden test (identity.spec.ts) trains goldenRun's tiny net and compares a digest of
// its exact result bits, so changed numbers without a bump fail; refactors that keep the numbers keep
// every stored result valid.
import type { Kernel } from './kernel.js';
import { syntheticDataset } from './synthetic.js';
import { train } from './train.js';

export const ENGINE_NUMERICS_VERSION = 1;

/** e.g. "bnlab-engine/1+ts-f32". */
export function engineIdentity(kernelId: string): string {
  return `bnlab-engine/${ENGINE_NUMERICS_VERSION}+${kernelId}`;
}

/**
 * Trains the golden tiny net (synthetic 60×12 data, 3 classes, [8, 6] with batch norm, 2 cycles) on
 * `kernel` and returns its result as JSON with every number written as the hex of its float64 bits:
 * text that changes if and only if a result bit changes.
 */
export function goldenRun(kernel: Kernel): string {
  const data = syntheticDataset({ d: 12, K: 3, train: 60, validation: 20, test: 20, seed: 2024, separation: 0.8 });
  const { result } = train(kernel, data, {
    hidden: [8, 6], batchNorm: true, init: { kind: 'he' }, lambda: 0.005,
    etaMin: 1e-5, etaMax: 0.1, batch: 10, ns: 6, cycles: 2, seed: 7, pointsPerCycle: 3,
    // Pinned, not the default: the digests were taken with ε = 1e-5, and a changed default changes a
    // configuration, not the engine's numerics.
    eps: 1e-5,
  });
  const bits = new DataView(new ArrayBuffer(8));
  return JSON.stringify(result, (_key, value: unknown) => {
    if (typeof value !== 'number') return value;
    bits.setFloat64(0, value);
    return bits.getUint32(0).toString(16).padStart(8, '0') + bits.getUint32(4).toString(16).padStart(8, '0');
  });
}
