import { describe, expect, it } from 'vitest';
import { bestByValidation, gains, summaryConclusions, type SummaryGroup, type SummaryResult } from './summary.js';

/** A group whose runs have these test accuracies (validation = test + `valShift`). */
const group = (name: string, tests: number[], valShift = 0): SummaryGroup => ({
  name,
  values: {},
  runs: tests.map((t, i) => ({ seed: i + 1, accuracy: { train: 0.6, validation: t + valShift, test: t }, diverged: false })),
});

const header = { stage: 'improvements', kind: 'summary' as const, profile: 'default', configHash: 'a'.repeat(64), engine: 'e', kernel: 'k' };

describe('summary', () => {
  it('picks the best group by validation accuracy, not by test accuracy', () => {
    const lucky = group('lucky on test', [0.9, 0.9, 0.9], -0.5);
    const honest = group('best on validation', [0.5, 0.5, 0.5], 0.1);
    expect(bestByValidation([group('baseline', [0.4, 0.4, 0.4]), lucky, honest]).name).toBe('best on validation');
  });

  it('names the largest gain with its Welch interval, worked by hand', () => {
    // baseline 40/42/44 %, best 46/48/50 %: diff +6 pp; s² = 4e-4 each, se² = 2.667e-4, ν = 4,
    // t(0.975, 4) = 2.776445, half-width 4.534 pp → [+1.47, +10.53] pp.
    const r: SummaryResult = {
      ...header,
      comparisons: [
        { stage: 'small', baseline: group('base', [0.40, 0.40, 0.40]), best: group('a bit', [0.41, 0.40, 0.42]) },
        { stage: 'large', baseline: group('narrow', [0.40, 0.42, 0.44]), best: group('wide', [0.46, 0.48, 0.50]) },
        { stage: 'none', baseline: group('same', [0.45, 0.45, 0.46]), best: group('same', [0.45, 0.45, 0.46]) },
      ],
    };
    const g = gains(r).find((x) => x.stage === 'large')!;
    expect(g.welch.diff).toBeCloseTo(0.06, 12);
    expect(g.welch.interval!.df).toBeCloseTo(4, 9);
    expect(g.welch.interval!.lo).toBeCloseTo(0.06 - 2.776445 * Math.sqrt(8e-4 / 3), 5);
    const [first, ...rest] = summaryConclusions(r);
    expect(first).toBe("The largest gain: wide ('large') raised the test accuracy from 42.00 ± 2.00 % (narrow) to 48.00 ± 2.00 % (+6.00 pp, 95 % CI [+1.47, +10.53] pp).");
    expect(rest).toContain("'none': the baseline same stayed best on validation accuracy (45.33 ± 0.58 % test).");
    expect(rest.some((l) => l.startsWith("'small': a bit against base: +1.00 pp test") && l.includes('within noise'))).toBe(true);
  });

  it('says when no improvement beat its baseline', () => {
    const same = group('base', [0.4, 0.41]);
    expect(summaryConclusions({ ...header, comparisons: [{ stage: 'x', baseline: same, best: same }] })).toEqual([
      "No improvement beat its baseline on validation accuracy ('x').",
      "The best test accuracy reached: 40.50 ± 0.71 % over 2 runs ('x': base; the highest mean validation accuracy, 40.50 %), the best run 41.00 %.",
    ]);
  });

  it('sets the best accuracy beside the first baseline and the reference', () => {
    const r: SummaryResult = {
      ...header,
      comparisons: [{ stage: 'widths', baseline: group('3-layer, BN', [0.40, 0.42, 0.44]), best: group('wide, BN', [0.46, 0.48, 0.50]) }],
      best: { stage: 'best', ...group('wide, BN, λ = 0.01', [0.50, 0.52, 0.54]) },
      reference: { accuracy: 0.5366, label: "the reference's net" },
    };
    const last = summaryConclusions(r).at(-1)!;
    expect(last).toBe(
      "The best test accuracy reached: 52.00 ± 2.00 % over 3 runs ('best': wide, BN, λ = 0.01; the highest mean validation accuracy, 52.00 %), the best run 54.00 %; +10.00 pp over the baseline 3-layer, BN of 'widths' (42.00 ± 2.00 %; 95 % CI [+5.47, +14.53] pp); the reference's net: 53.66 % (−1.66 pp).",
    );
  });

  it('takes the best reached by validation accuracy: a combination that did worse than one improvement is said so', () => {
    const r: SummaryResult = {
      ...header,
      comparisons: [{ stage: 'widths', baseline: group('3-layer', [0.40, 0.42, 0.44]), best: group('wide', [0.46, 0.48, 0.50], 0.02) }],
      best: { stage: 'best', ...group('wide, dropout = 0.2', [0.47, 0.47, 0.47], 0) },
    };
    const lines = summaryConclusions(r);
    expect(lines.at(-2)).toMatch(/^The best test accuracy reached: 48\.00 ± 2\.00 % over 3 runs \('widths': wide; the highest mean validation accuracy, 50\.00 %\)/);
    expect(lines.at(-1)).toBe(
      "The best combination ('best': wide, dropout = 0.2) reached 47.00 ± 0.00 % test over 3 runs, 47.00 % validation: below wide of 'widths', so combining the improvements did not pay off here.",
    );
  });
});
