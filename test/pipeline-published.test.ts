// The published studies re-derive without training: for every profile whose results are committed
// (results/<profile>/data/result.json in the repository), `bnlab plan --json` must find every trial
// of every stage in the committed trial store. Stale records (a changed configuration, a new engine
// version) make this fail in CI instead of surprising a user with hours of training.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
const PUBLISHED = ['default', 'fashion-mnist'];

describe('published profiles', () => {
  for (const profile of PUBLISHED) {
    const committed = existsSync(path.join(repo, 'results', profile, 'data', 'result.json'));
    it.skipIf(!committed)(`${profile}: bnlab plan finds every trial in the committed store`, async () => {
      const r = await execa(process.execPath, [bin, 'plan', '-c', profile, '--json'], {
        cwd: repo,
        reject: false,
        env: { BNLAB_WORKSPACE: repo, NX_TASK_TARGET_CONFIGURATION: '' },
      });
      expect(r.exitCode, r.stderr).toBe(0);
      const plan = JSON.parse(r.stdout);
      const ajv = new Ajv({ allErrors: true, strict: true });
      const validate = ajv.compile(JSON.parse(readFileSync(path.join(repo, 'packages/pipeline/schemas/plan.schema.json'), 'utf8')));
      expect(validate(plan) ? [] : validate.errors).toEqual([]);
      const missing = plan.stages.flatMap((s: any) => (s.trials?.list ?? []).filter((t: any) => !t.stored).map((t: any) => `${s.stage}: ${t.label}`));
      expect(missing).toEqual([]);
      expect(plan.trialsUnknown).toBe(false);
      expect(plan.trialsLeft).toBe(0);
    });
  }
});
