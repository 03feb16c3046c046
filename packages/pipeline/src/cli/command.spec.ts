import { describe, expect, it } from 'vitest';
import { joinNegativeValues, parseFlags } from './command.js';

const options = { lambda: { type: 'string' }, workers: { type: 'string', short: 'w' }, 'batch-norm': { type: 'boolean' } } as const;

describe('parseFlags with negative numbers (issue 17)', () => {
  it('takes a negative number after an option that has a value as that value', () => {
    expect(parseFlags(['--lambda', '-1', '-w', '-2', '--batch-norm'], options, 'train').values).toEqual({ lambda: '-1', workers: '-2', 'batch-norm': true });
    expect(parseFlags(['--lambda', '-.5'], options, 'train').values).toEqual({ lambda: '-.5' });
  });
  it('leaves options alone: a flag after a boolean, or an option where a value is expected, is still an option', () => {
    expect(joinNegativeValues(['--batch-norm', '-1'], options)).toEqual(['--batch-norm', '-1']);
    expect(joinNegativeValues(['--lambda', '--workers', '2'], options)).toEqual(['--lambda', '--workers', '2']);
    expect(joinNegativeValues(['--lambda=-3'], options)).toEqual(['--lambda=-3']);
  });
});
