import { describe, expect, it } from 'vitest';
import { formatSeconds } from './progress.js';

describe('formatSeconds', () => {
  it.each([
    [0, '0s'], [59.4, '59s'], [59.6, '1m00s'], [61, '1m01s'], [359.6, '6m00s'], [3599.6, '1h00m'],
    [3600 + 59 * 60 + 59, '1h59m'], [-1, '?'], [NaN, '?'],
  ])('%s s → %s (never 60 in a field)', (s, text) => {
    expect(formatSeconds(s)).toBe(text);
  });
});
