// The one palette every chart uses (Observable's "observable10" colours), by role.
export const INK = '#222222';
export const MUTED = '#666666';

export const SPLIT_COLOR = { train: '#4269d0', validation: '#ff725c', test: '#3ca951' } as const;
export const SPLIT_LABEL = { train: 'training', validation: 'validation', test: 'test' } as const;

export const BN_COLOR = { bn: '#a463f2', none: '#9c6b4e' } as const;

export const PARAMETER_COLOR = { W: '#4269d0', b: '#efb118', gamma: '#ff725c', beta: '#3ca951' } as const;

/** For categories without a fixed role (fine-search centres), in order. */
export const CATEGORY = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#ff8ab7', '#a463f2', '#97bbf5', '#9c6b4e', '#9498a0'];

export const HIGHLIGHT = '#d62728';
export const THRESHOLD = INK;
export const NEUTRAL = '#9498a0';
