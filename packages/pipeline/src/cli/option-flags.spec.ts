// The training options' flags come from the engine's option list: every option parses, range-checks
// and shows in the help; negative numbers read as values; bnlab gradcheck passes with the new options
// (synthetic inputs, so no data is needed here; test/cli-gradcheck.test.ts runs them on CIFAR-10).
import { TRAINING_OPTIONS, trainingOption } from '@bnlab/engine';
import { describe, expect, it, vi } from 'vitest';
import { command as gradcheckCommand } from './cmd-gradcheck.js';
import { command as trainCommand } from './cmd-train.js';
import { joinNegativeValues, parseFlags, UsageError } from './command.js';
import { optionFlagSpecs, optionFlagValue, optionFlagValues, optionHelpLines, trainingOptions } from './option-flags.js';

const specs = optionFlagSpecs(TRAINING_OPTIONS);
const parse = (argv: string[]) => optionFlagValues(TRAINING_OPTIONS, parseFlags(argv, specs, 'train').values as Record<string, string | boolean | undefined>);
const error = (argv: string[]): string => {
  try {
    parse(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
};

describe('training option flags', () => {
  it('no flags give every default; each flag parses to its option', () => {
    expect(parse([])).toEqual(Object.fromEntries(TRAINING_OPTIONS.map((o) => [o.name, o.default])));
    expect(parse(['--lambda', '0.01', '--batch', '50', '--bn-placement', 'after', '--dropout', '0.5', '--jitter-flip', '--jitter-shift', '4', '--alpha', '0.8'])).toMatchObject({
      lambda: 0.01, batch: 50, bnPlacement: 'after', dropout: 0.5, jitterFlip: true, jitterShift: 4, alpha: 0.8,
    });
  });

  it('keeps the flag names of before the option list', () => {
    expect(Object.keys(specs)).toEqual(expect.arrayContaining(['lambda', 'eta-min', 'eta-max', 'batch', 'cycles', 'points-per-cycle', 'eps', 'alpha']));
  });

  it.each([
    [['--dropout', '1'], '--dropout: 1 must be < 1 (inverted dropout'],
    [['--dropout', '-0.1'], '--dropout: -0.1 must be ≥ 0 (inverted dropout'],
    [['--dropout=-0.1'], '--dropout: -0.1 must be ≥ 0'],
    [['--jitter-shift', '-1'], '--jitter-shift: -1 must be ≥ 0 (translate each training image'],
    [['--jitter-shift', '2.5'], '--jitter-shift: 2.5 must be an integer'],
    [['--jitter-contrast', '-.5'], '--jitter-contrast: -.5 must be ≥ 0'],
    [['--bn-placement', 'middle'], "--bn-placement: 'middle' must be one of before, after"],
    [['--lambda', '-1'], '--lambda: -1 must be ≥ 0 (L2 regularisation λ of the cost; default 0.005)'],
    [['--eps', '0'], '--eps: 0 must be > 0'],
    [['--eps', '-1e-8'], '--eps: -1e-8 must be > 0'],
    [['--batch', '0'], '--batch: 0 must be ≥ 1'],
    [['--eta-max', 'fast'], "--eta-max: 'fast' is not a number"],
  ])('%j: one line naming the flag, with a hint', (argv, message) => {
    const m = error(argv);
    expect(m).toContain(message);
    expect(m).not.toContain('\n');
  });

  it('reads a negative number after any flag that takes a value, and nothing else', () => {
    const opts = { ...specs, hidden: { type: 'string' as const }, json: { type: 'boolean' as const } };
    expect(joinNegativeValues(['--lambda', '-1', '--eta-min', '-.5', '--eps', '-Infinity'], opts)).toEqual(['--lambda=-1', '--eta-min=-.5', '--eps=-Infinity']);
    // a boolean flag takes no value; a word after a flag is not a number; after -- everything stays
    expect(joinNegativeValues(['--json', '-1'], opts)).toEqual(['--json', '-1']);
    expect(joinNegativeValues(['--hidden', '-x'], opts)).toEqual(['--hidden', '-x']);
    expect(joinNegativeValues(['--', '--lambda', '-1'], opts)).toEqual(['--', '--lambda', '-1']);
    expect(() => parseFlags(['--hidden', '-x'], opts, 'train')).toThrow(UsageError);
  });

  it('help: one or more lines per option with its flag, description and default', () => {
    const lines = optionHelpLines(TRAINING_OPTIONS).join('\n');
    for (const o of TRAINING_OPTIONS) {
      expect(lines).toContain(`--${o.flag}`);
      expect(lines.replace(/\n +/g, ' ')).toContain(o.description);
    }
    expect(lines).toContain('--bn-placement before|after');
    expect(lines).toMatch(/--dropout P +inverted dropout/);
    expect(trainCommand.help).toContain(optionHelpLines(TRAINING_OPTIONS).join('\n'));
    expect(gradcheckCommand.help).toContain('--bn-placement');
    expect(gradcheckCommand.help).not.toContain('--jitter-flip');
  });

  it('a subset of the list keeps its order; an unknown name is a programming error', () => {
    expect(trainingOptions(['dropout', 'lambda']).map((o) => o.name)).toEqual(['lambda', 'dropout']);
    expect(() => trainingOptions(['nope'])).toThrow(/no training option 'nope'/);
    expect(optionFlagValue(trainingOption('jitterFlip')!, undefined)).toBe(false);
  });
});

describe('bnlab gradcheck with the new options (synthetic inputs)', () => {
  async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void (out += `${s}\n`));
    const error = vi.spyOn(console, 'error').mockImplementation((s: string) => void (err += `${s}\n`));
    try {
      return { code: await gradcheckCommand.run(argv, { debug: false }), out, err };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }

  it.each([
    [['--hidden', '50,50', '--batch-norm', '--bn-placement', 'after']],
    [['--hidden', '20,15,10', '--batch-norm', '--bn-placement', 'after', '--samples', '10']],
    [['--hidden', '10', '--batch-norm', '--bn-placement', 'after', '--dims', '7', '--samples', '6', '--lambda', '0']],
    [['--hidden', '50,50', '--dropout', '0.5']],
    [['--hidden', '20,15,10', '--dropout', '0.5', '--samples', '10']],
    [['--hidden', '30,20', '--dropout', '0.5', '--batch-norm', '--bn-placement', 'after', '--samples', '8']],
  ])('%j passes below 1e-6', async (argv) => {
    const r = await run(['--synthetic', ...argv, '--json']);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { passed: boolean; checks: { parameter: string; layer: number; relativeError: number }[] };
    for (const c of out.checks) expect(c.relativeError, `${c.parameter}${c.layer}`).toBeLessThan(1e-6);
    if (argv.includes('after')) expect(out.checks.filter((c) => c.parameter === 'b').length).toBe(argv[1].split(',').length + 1);
  });

  it('rejects --dropout 1 and --bn-placement after without --batch-norm in one line', async () => {
    await expect(run(['--synthetic', '--dropout', '1'])).rejects.toThrow(/^--dropout: 1 must be < 1/);
    await expect(run(['--synthetic', '--bn-placement', 'after'])).rejects.toThrow(/^--bn-placement: after needs --batch-norm/);
  });
});
