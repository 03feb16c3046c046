import { describe, expect, it } from 'vitest';
import { closest, ConfigError, levenshtein } from './errors.js';

describe('levenshtein / closest', () => {
  it('counts edits (hand-worked cases)', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('samples', 'smaples')).toBe(2);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('lambda', 'lambda')).toBe(0);
  });
  it('suggests only likely misspellings', () => {
    expect(closest('lamda', ['lambda', 'batch'])).toBe('lambda');
    expect(closest('seeds', ['seed', 'sigmas'])).toBe('seed');
    expect(closest('colour', ['net', 'samples', 'keep'])).toBeUndefined();
    expect(closest('h', ['dims', 'seed'])).toBeUndefined();
  });
});

describe('ConfigError', () => {
  it('sorts by position, unlocated last, and drops duplicates', () => {
    const e = new ConfigError('f.yaml', [
      { path: '', message: 'unknown profile' },
      { line: 9, col: 2, path: 'b', message: 'bad' },
      { line: 3, col: 7, path: 'a', message: 'bad' },
      { line: 3, col: 7, path: 'a', message: 'bad' },
    ]);
    expect(e.message.split('\n')).toEqual(['f.yaml:3:7 a: bad', 'f.yaml:9:2 b: bad', 'f.yaml unknown profile']);
    expect(e.exitCode).toBe(1);
  });
});
