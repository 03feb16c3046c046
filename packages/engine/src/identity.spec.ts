import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ENGINE_NUMERICS_VERSION, engineIdentity, goldenRun } from './identity.js';
import { createTsKernel } from './kernels/ts.js';

// sha256 of goldenRun's text per kernel id, at ENGINE_NUMERICS_VERSION 1.
const GOLDEN: Record<string, string> = {
  'ts-f64': 'dd6a60aac8cc27d6757bed6053712a8da59e89e15cb45eb1c263e6a2451da324',
  'ts-f32': 'f6cb8af8f7323fbf73b656bf13c8adf55928df299015861f231776b98241a5ba',
};

describe('engine identity', () => {
  it('names the numerics version and the kernel', () => {
    expect(engineIdentity('ts-f32')).toBe(`bnlab-engine/${ENGINE_NUMERICS_VERSION}+ts-f32`);
    expect(ENGINE_NUMERICS_VERSION).toBe(1);
  });

  for (const dtype of ['f64', 'f32'] as const) {
    it(`golden run on ts-${dtype} gives the stored bits`, () => {
      const text = goldenRun(createTsKernel(dtype));
      const digest = createHash('sha256').update(text).digest('hex');
      expect(text).toContain('"diverged":false');
      expect(digest, `ts-${dtype}: numbers changed: bump ENGINE_NUMERICS_VERSION and update the digest`).toBe(GOLDEN[`ts-${dtype}`]);
    });
  }

  it('the golden text changes when one number changes (the digest can fail)', () => {
    const k = createTsKernel('f64');
    const nudged = { ...k, sgdStep: (p: Float64Array | Float32Array, g: Float64Array | Float32Array, len: number, eta: number, lambda: number) => k.sgdStep(p, g, len, eta * (1 + 2 ** -40), lambda) };
    expect(goldenRun(nudged)).not.toBe(goldenRun(k));
  });
});
