import { describe, expect, it } from 'vitest';
import { canonicalJson, hashOf } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 2, y: 3 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":3,"z":2}]},"b":1}');
  });
  it('gives equal hashes for equal content in another key order', () => {
    expect(hashOf({ x: 1, y: [2, 3] })).toBe(hashOf({ y: [2, 3], x: 1 }));
    expect(hashOf({ x: 1 })).not.toBe(hashOf({ x: 2 }));
  });
  it('rejects non-finite numbers with their location', () => {
    expect(() => canonicalJson({ a: [1, NaN] })).toThrow('non-finite number at $.a[1]');
    expect(() => canonicalJson({ a: Infinity })).toThrow('$.a');
  });
  it('writes -0 as 0 and keeps exact doubles', () => {
    expect(canonicalJson([-0, 0.1, 1e-7])).toBe('[0,0.1,1e-7]');
  });
});
