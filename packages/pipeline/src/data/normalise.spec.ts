import { describe, expect, it } from 'vitest';
import { byteLength, viewsOf } from './layout.js';
import { normaliseInto, splitSizes, validationCount } from './normalise.js';
import type { RawDataset } from './raw.js';

describe('validationCount', () => {
  it('takes a count as is and a fraction of the training records, rounded', () => {
    expect(validationCount(517, 5170)).toBe(517);
    expect(validationCount(0.1, 5170)).toBe(517);
    expect(validationCount(0.1, 50000)).toBe(5000);
    expect(validationCount(0.02, 5170)).toBe(103); // 103.4
  });
  it('rejects zero, negatives, non-integer counts and counts that leave no training data', () => {
    expect(() => validationCount(0, 100)).toThrow('validation: 0 must be a count');
    expect(() => validationCount(-3, 100)).toThrow('validation: -3');
    expect(() => validationCount(2.5, 100)).toThrow('neither a whole count');
    expect(() => validationCount(100, 100)).toThrow('leave none of the 100 training records');
    expect(() => validationCount(0.001, 100)).toThrow('leaves no validation images');
  });
});

describe('normaliseInto', () => {
  // d = 2, 4 training records (the last one is validation), 1 test record. Hand-worked:
  // training pixels/255 in dim 0: 0, 51/255=0.2, 102/255=0.4 → mean 0.2, population std √(0.08/3);
  // dim 1 is constant (255) → std 0 guarded to 1, so it maps to 0.
  const raw: RawDataset = {
    d: 2,
    classes: ['a', 'b', 'c'],
    train: { pixels: Uint8Array.from([0, 255, 51, 255, 102, 255, 153, 0]), labels: Uint8Array.from([0, 1, 2, 1]), n: 4 },
    test: { pixels: Uint8Array.from([255, 255]), labels: Uint8Array.from([2]), n: 1 },
    dir: '/nowhere',
    files: [],
  };
  const s = splitSizes(raw, 1);
  const v = viewsOf(new SharedArrayBuffer(byteLength(2, s)), 2, s);
  normaliseInto(v, raw);
  const std0 = Math.sqrt(((0 - 0.2) ** 2 + 0 + (0.4 - 0.2) ** 2) / 3);

  it('splits off the last V training records as validation', () => {
    expect(s).toEqual({ train: 3, validation: 1, test: 1 });
    expect([...v.train.y]).toEqual([0, 1, 2]);
    expect([...v.validation.y]).toEqual([1]);
    expect([...v.test.y]).toEqual([2]);
  });
  it('standardises with the training statistics only, guarding a zero std', () => {
    expect(v.mean[0]).toBeCloseTo(0.2, 6);
    expect(v.mean[1]).toBeCloseTo(1, 6);
    expect(v.std[0]).toBeCloseTo(std0, 6);
    expect(v.std[1]).toBe(1);
    const expectRow = (x: Float32Array, want: number[]) => want.forEach((w, j) => expect(x[j]).toBeCloseTo(w, 5));
    expectRow(v.train.x.subarray(0, 2), [-0.2 / std0, 0]);
    expectRow(v.train.x.subarray(4, 6), [0.2 / std0, 0]);
    expectRow(v.validation.x, [(0.6 - 0.2) / std0, -1]);
    expectRow(v.test.x, [(1 - 0.2) / std0, 0]);
  });
});
