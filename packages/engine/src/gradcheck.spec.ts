import { describe, expect, it } from 'vitest';
import type { Kernel } from './kernel.js';
import { createTsKernel } from './kernels/ts.js';
import { gradcheck, type GradcheckInput } from './gradcheck.js';
import { createRng, normal, randInt } from './rng.js';

// Gaussian inputs (like the data after normalisation) and random labels.
function data(n: number, d: number, K: number, seed = 3): Pick<GradcheckInput, 'x' | 'y' | 'n' | 'd' | 'K'> {
  const rng = createRng(seed);
  return { x: Array.from({ length: n * d }, () => normal(rng)), y: Array.from({ length: n }, () => randInt(rng, K)), n, d, K };
}
const fmt = (r: ReturnType<typeof gradcheck>) => r.checks.map((c) => `${c.parameter}${c.layer} ${c.relativeError.toExponential(2)}`).join(', ');

describe('gradient check', () => {
  const nets: [string, number[]][] = [
    ['2-layer', [8]],
    ['3-layer', [10, 8]],
    ['4-layer', [10, 8, 6]],
    ['9-layer', [10, 8, 7, 6, 6, 5, 5, 5]],
  ];
  for (const [name, hidden] of nets) {
    for (const batchNorm of [false, true]) {
      it(`passes (< 1e-6) for the ${name} net ${batchNorm ? 'with' : 'without'} batch norm`, () => {
        const r = gradcheck({ ...data(6, 12, 4), hidden, batchNorm, lambda: 0.01 });
        const expected = hidden.length + 1 + (batchNorm ? 2 * hidden.length + 1 : hidden.length + 1);
        expect(r.checks).toHaveLength(expected);
        for (const c of r.checks) expect(c.relativeError, `${c.parameter}${c.layer} rel err ${c.relativeError.toExponential(2)} > 1e-6`).toBeLessThan(1e-6);
        expect(r.passed).toBe(true);
      });
    }
  }
});

describe('gradient check: batch norm after the ReLU, and dropout with its masks held fixed', () => {
  const nets: [string, number[]][] = [
    ['2-layer', [8]],
    ['3-layer', [10, 8]],
    ['4-layer', [10, 8, 6]],
    ['9-layer', [10, 8, 7, 6, 6, 5, 5, 5]],
  ];
  const cases: [string, Partial<GradcheckInput>][] = [
    ['batch norm after the ReLU', { batchNorm: true, bnPlacement: 'after' }],
    ['dropout 0.5 without batch norm', { batchNorm: false, dropout: 0.5 }],
    ['dropout 0.3 with batch norm before the ReLU', { batchNorm: true, dropout: 0.3 }],
    ['dropout 0.5 with batch norm after the ReLU', { batchNorm: true, bnPlacement: 'after', dropout: 0.5 }],
  ];
  for (const [name, hidden] of nets) {
    for (const [what, opts] of cases) {
      it(`passes (< 1e-6) for the ${name} net, ${what}`, () => {
        const r = gradcheck({ ...data(8, 12, 4), hidden, batchNorm: false, lambda: 0.01, ...opts });
        // W and b everywhere except the hidden layers of batch norm before the ReLU (no b), plus γ, β
        const bnBefore = opts.batchNorm === true && opts.bnPlacement !== 'after';
        const expected = 2 * (hidden.length + 1) - (bnBefore ? hidden.length : 0) + (opts.batchNorm ? 2 * hidden.length : 0);
        expect(r.checks).toHaveLength(expected);
        for (const c of r.checks) expect(c.relativeError, `${c.parameter}${c.layer} rel err ${c.relativeError.toExponential(2)} > 1e-6`).toBeLessThan(1e-6);
      });
    }
  }

  it('batch norm after the ReLU keeps a bias on every layer, and its gradient is not zero', () => {
    const r = gradcheck({ ...data(8, 12, 4), hidden: [10, 8], batchNorm: true, bnPlacement: 'after', lambda: 0.01 });
    expect(r.checks.filter((c) => c.parameter === 'b').map((c) => c.layer)).toEqual([1, 2, 3]);
    expect(r.passed, fmt(r)).toBe(true);
  });
});

describe('gradient check in test mode (the wrong way)', () => {
  // A 4-layer batch-norm net like the reference's (narrower): the same input checked both ways.
  const input: GradcheckInput = { ...data(10, 20, 10), hidden: [20, 15, 10], batchNorm: true, lambda: 0.005 };

  it('fails below the last hidden layer with errors like the reference\'s, while training mode passes', () => {
    const wrong = gradcheck({ ...input, mode: 'test' });
    const right = gradcheck(input);
    expect(right.passed, fmt(right)).toBe(true);
    expect(wrong.passed).toBe(false);
    for (const c of wrong.checks) {
      // Layers 1–2 sit below a batch norm whose statistics the frozen averages no longer follow;
      // layer 3's γ, β and layer 4 only feed the softmax, so both ways agree there.
      if (c.layer <= 2 || (c.layer === 3 && c.parameter === 'W')) {
        expect(c.relativeError, `${c.parameter}${c.layer} test-mode rel err ${c.relativeError.toExponential(2)}`).toBeGreaterThan(0.1);
      } else {
        expect(c.relativeError, `${c.parameter}${c.layer} test-mode rel err ${c.relativeError.toExponential(2)}`).toBeLessThan(1e-6);
      }
    }
  });

  it('makes no difference without batch norm (no statistics to freeze)', () => {
    const r = gradcheck({ ...input, batchNorm: false, mode: 'test' });
    expect(r.passed, fmt(r)).toBe(true);
  });
});

describe('gradient check catches wrong gradients', () => {
  it('fails when batch norm backward drops its factor γ (a bug the γ = 1 initialisation would hide)', () => {
    const ts = createTsKernel('f64');
    const buggy: Kernel = {
      ...ts,
      batchNormBackward(ds, dgamma, dbeta, g, shat, variance, gamma, n, m, eps) {
        const ones = ts.alloc(m).fill(1);
        ts.batchNormBackward(ds, dgamma, dbeta, g, shat, variance, ones, n, m, eps);
        void gamma;
      },
    };
    const input: GradcheckInput = { ...data(6, 12, 4), hidden: [8, 6], batchNorm: true, lambda: 0.01 };
    const r = gradcheck({ ...input, kernel: buggy });
    expect(r.passed).toBe(false);
    const w1 = r.checks.find((c) => c.parameter === 'W' && c.layer === 1)!;
    expect(w1.relativeError, 'W1 rel err with the buggy backward').toBeGreaterThan(1e-3);
    expect(gradcheck(input).passed).toBe(true);
  });

  it('fails with a step so large the centred difference is wrong (h = 0.5)', () => {
    const r = gradcheck({ ...data(6, 12, 4), hidden: [8], batchNorm: true, lambda: 0.01, h: 0.5 });
    expect(r.passed).toBe(false);
  });

  it('rejects labels outside [0, K) and short inputs', () => {
    expect(() => gradcheck({ ...data(3, 4, 3), y: [0, 3, 1], hidden: [], batchNorm: false, lambda: 0 })).toThrow(/label 3 of sample 1/);
    expect(() => gradcheck({ ...data(3, 4, 3), n: 4, hidden: [], batchNorm: false, lambda: 0 })).toThrow(/fewer than n·d/);
  });
});
