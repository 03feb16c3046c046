import { describe, expect, it } from 'vitest';
import { duration, lambda, pct, pctMeanStd, pp, sci, sigma } from './format.js';

describe('format', () => {
  it('accuracies as percentages with 2 decimals', () => {
    expect(pct(0.53664)).toBe('53.66');
    expect(pct(0.1)).toBe('10.00');
    expect(pctMeanStd(0.5366, 0.0029)).toBe('53.66 ± 0.29');
    expect(pctMeanStd(0.5366, NaN)).toBe('53.66');
    expect(pp(0.0123)).toBe('+1.23');
    expect(pp(-0.004)).toBe('−0.40');
    expect(pp(0.00001)).toBe('0.00');
  });

  it('λ and σ in scientific notation', () => {
    expect(lambda(0.003759250129457098)).toBe('3.7593e-3');
    expect(lambda(0.005)).toBe('5e-3');
    expect(lambda(0.00412)).toBe('4.12e-3');
    expect(sigma(0.001)).toBe('1e-3');
    expect(sigma(0.1)).toBe('1e-1');
    expect(sci(1.0396758690215455e-10)).toBe('1.04e-10');
    expect(sci(1e-6)).toBe('1e-6');
    expect(sci(0)).toBe('0');
  });

  it('compute time', () => {
    expect(duration(42)).toBe('42.0 s');
    expect(duration(185)).toBe('3 min 05 s');
    expect(duration(7620)).toBe('2 h 07 min');
  });
});
