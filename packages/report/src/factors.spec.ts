import { describe, expect, it } from 'vitest';
import { factorComparisons, uniqueSlugs, type Factor, type FactorGroup } from './factors.js';
import { welch } from './stats.js';

describe('uniqueSlugs', () => {
  it('never gives two groups the same file, even when their names slugify alike', () => {
    const taken = new Set<string>(['curves-a-b']);
    const slugs = uniqueSlugs(['curves a b', 'curves a-b', 'curves A B', 'curves-a b'], taken);
    expect(new Set(slugs).size).toBe(4);
    expect(slugs).toEqual(['curves-a-b-2', 'curves-a-b-3', 'curves-a-b-4', 'curves-a-b-5']);
    expect(uniqueSlugs(['σ = 1e-3, narrow, BN'])).toEqual(['1e-3-narrow-bn']);
  });
});

describe('factorComparisons', () => {
  const run = (test: number, seed: number) => ({ seed, hash: 'h', accuracy: { train: test, validation: test, test }, diverged: false });
  const g = (net: string, bn: boolean, accs: number[]): FactorGroup => ({ name: `${net}, ${bn}`, values: { net, batchNorm: bn }, runs: accs.map(run) });
  const bn: Factor = { name: 'batchNorm', label: 'batch norm', values: [false, true], show: (v) => (v ? 'BN' : 'no BN') };
  const net: Factor = { name: 'net', label: 'net', values: ['narrow', 'broad'], show: String };

  it('pairs each group at the first value with its twin at the others, the other factors fixed', () => {
    const groups = [g('narrow', false, [0.3, 0.32]), g('narrow', true, [0.4, 0.41]), g('broad', false, [0.35, 0.33]), g('broad', true, [0.5, 0.52])];
    const cs = factorComparisons(groups, bn, [net, bn]);
    expect(cs.map((c) => c.fixed)).toEqual(['narrow', 'broad']);
    // The Welch interval is the one of the two groups' test accuracies (an independent computation).
    expect(cs[1].welch.test).toEqual(welch([0.35, 0.33], [0.5, 0.52]));
    expect(factorComparisons(groups.slice(0, 3), bn, [net, bn]).map((c) => c.fixed)).toEqual(['narrow']);
  });
});
