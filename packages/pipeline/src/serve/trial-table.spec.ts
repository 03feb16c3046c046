import { describe, expect, it } from 'vitest';
import { parseTableQuery, queryTable, type TrialRow } from './trial-table.js';

// Five trials worked by hand: stage, λ, batch norm, validation accuracy (one not trained yet).
const rows: TrialRow[] = [
  { stage: 'coarse', label: 'a', state: 'stored', lambda: 0.01, batchNorm: true, 'val %': 40.5, hash: 'h1' },
  { stage: 'coarse', label: 'b', state: 'stored', lambda: 0.001, batchNorm: false, 'val %': 38, hash: 'h2' },
  { stage: 'fine', label: 'c', state: 'to train', lambda: 0.002, batchNorm: true, 'val %': null, hash: 'h3' },
  { stage: 'fine', label: 'd', state: 'stored', lambda: 0.1, batchNorm: true, 'val %': 9.1, hash: 'h4' },
  { stage: 'sigma', label: 'e', state: 'stored', lambda: 0.005, batchNorm: false, 'val %': 41, hash: 'h5' },
];
const labels = (q: Parameters<typeof queryTable>[1]) => queryTable(rows, q).rows.map((r) => r.label);
const base = { filters: {}, page: 0, size: 50 };

describe('queryTable', () => {
  it('puts the fixed columns first, the options sorted in between, the hash last', () => {
    expect(queryTable(rows, base).columns).toEqual(['stage', 'label', 'state', 'val %', 'batchNorm', 'lambda', 'hash']);
  });

  it('filters by substring, by equality and by numeric bounds, all at once', () => {
    expect(labels({ ...base, filters: { stage: 'CO' } })).toEqual(['a', 'b']);
    expect(labels({ ...base, filters: { batchNorm: '=true' } })).toEqual(['a', 'c', 'd']);
    expect(labels({ ...base, filters: { lambda: '>=0.005' } })).toEqual(['a', 'd', 'e']);
    expect(labels({ ...base, filters: { lambda: '<0.005', batchNorm: '=false' } })).toEqual(['b']);
    expect(labels({ ...base, filters: { 'val %': '>10' } })).toEqual(['a', 'b', 'e']); // the untrained one has no value
    expect(labels({ ...base, filters: { lambda: '>x' } })).toEqual([]);
    expect(labels({ ...base, filters: { lambda: '  ' } })).toHaveLength(5);
  });

  it('sorts numbers numerically either way, empty cells last both ways, ties in input order', () => {
    expect(labels({ ...base, sort: 'val %' })).toEqual(['d', 'b', 'a', 'e', 'c']);
    expect(labels({ ...base, sort: 'val %', descending: true })).toEqual(['e', 'a', 'b', 'd', 'c']);
    expect(labels({ ...base, sort: 'stage', descending: true })).toEqual(['e', 'c', 'd', 'a', 'b']);
  });

  it('pages after filtering and sorting, clamping the page and the size', () => {
    const p = queryTable(rows, { ...base, sort: 'lambda', page: 1, size: 2 });
    expect(p.rows.map((r) => r.label)).toEqual(['e', 'a']);
    expect(p).toMatchObject({ total: 5, matched: 5, page: 1, size: 2 });
    expect(queryTable(rows, { ...base, sort: 'lambda', page: 9, size: 2 }).rows.map((r) => r.label)).toEqual(['d']);
    expect(queryTable(rows, { ...base, size: 1e9 }).size).toBe(500);
    expect(queryTable(rows, { ...base, filters: { stage: 'none' } })).toMatchObject({ matched: 0, page: 0, rows: [] });
  });

  it('reads the query from URL parameters', () => {
    expect(parseTableQuery(new URLSearchParams('f.lambda=%3E0.01&f.stage=fine&sort=val+%25&desc=1&page=2&size=25'))).toEqual({
      filters: { lambda: '>0.01', stage: 'fine' },
      sort: 'val %',
      descending: true,
      page: 2,
      size: 25,
    });
    expect(parseTableQuery(new URLSearchParams('page=x'))).toEqual({ filters: {}, sort: undefined, descending: false, page: 0, size: 50 });
  });
});
