import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveAllProfiles } from '../config/load.js';
import { MAX_TRIAL_BYTES, studyLimitProblems, trialBytes } from './limits.js';

const shipped = readFileSync(fileURLToPath(new URL('../../../../experiments.yaml', import.meta.url)), 'utf8');
const studies = resolveAllProfiles(shipped, 'experiments.yaml', {});
const smokeWith = (edit: (text: string) => string) => resolveAllProfiles(edit(shipped), 'experiments.yaml', {}).smoke;

describe('study limits', () => {
  it('pass every shipped profile', () => {
    for (const [name, study] of Object.entries(studies)) expect(studyLimitProblems(study), name).toEqual([]);
  });

  it("bound a trial's memory from its net and batch (a hand-worked case)", () => {
    // [50, 50] on 3072 inputs, 10 classes: weights 3072·50 + 50·50 + 50·10, plus 3 per unit (bias, γ, β)
    const params = 3072 * 50 + 50 * 50 + 50 * 10 + 3 * (50 + 50 + 10);
    const units = 3072 + 50 + 50 + 10;
    expect(trialBytes({ name: 'n', hidden: [50, 50], batchNorm: true }, 3072, 100)).toBe(4 * (4 * params + 8 * 100 * units));
  });

  it('refuse a study whose settings multiply into too many trials or updates, naming the stages', () => {
    const study = smokeWith((t) => t.replace('        samples: 4\n', '        samples: 10000\n').replace('        nsUpdates: 6\n', '        nsUpdates: 1000000\n'));
    const problems = studyLimitProblems(study);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^the study plans up to 2\.01e\+10 updates \(trials × updates per trial: curves 8 × 2000000, coarse 10000 × 2000000, .*\); the limit is 1e\+9/);
  });

  it("refuse a net too large for a trial's memory, naming the stage and net", () => {
    const wide = `[${Array(64).fill(4096).join(', ')}]`;
    const study = smokeWith((t) => t.replace('  nets:\n', `  nets:\n    huge: ${wide}\n`).replace('        seeds: 2\n', `        seeds: 2\n        vary: { net: [huge] }\n`).replace('        batch: 50\n', '        batch: 4096\n'));
    const problems = studyLimitProblems(study);
    expect(trialBytes({ hidden: Array(64).fill(4096) }, 3072, 4096)).toBeGreaterThan(MAX_TRIAL_BYTES);
    expect(problems.some((p) => p.startsWith("stages.curves: net 'huge' [4096, 4096") && p.includes('MiB per trial; the limit is 256 MiB'))).toBe(true);
  });
});
