import { describe, expect, it } from 'vitest';
import { createKernel, defaultKernelId, kernelIds } from './registry.js';

describe('kernel registry', () => {
  it('creates every listed kernel under its own id, with arrays of its dtype', () => {
    expect(kernelIds()).toEqual(expect.arrayContaining(['ts-f64', 'ts-f32']));
    for (const id of kernelIds()) {
      const k = createKernel(id);
      expect(k.id).toBe(id);
      expect(k.alloc(3)).toBeInstanceOf(k.dtype === 'f64' ? Float64Array : Float32Array);
    }
    expect(kernelIds()).toContain(defaultKernelId());
  });

  it('names the known ids when asked for an unknown one', () => {
    expect(() => createKernel('ts-f16')).toThrow(/unknown kernel 'ts-f16' \(known: .*ts-f64, ts-f32/);
    expect(() => createKernel('toString')).toThrow(/unknown kernel 'toString'/);
  });
});
