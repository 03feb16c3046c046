// bnlab trial on the committed trial records: the record found by a prefix of its hash (--json is the
// stored record), its figures and curves in the human view, and one clear line for an ambiguous,
// unknown or malformed prefix.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
const store = path.join(repo, 'results/trials');
const hashes = existsSync(store) ? readdirSync(store).flatMap((d) => readdirSync(path.join(store, d))).map((f) => f.slice(0, 64)).sort() : [];
const bnlab = (args: string[]) => execa(process.execPath, [bin, ...args], { cwd: repo, reject: false, env: { BNLAB_WORKSPACE: repo } });

describe.skipIf(hashes.length === 0)('bnlab trial', () => {
  const hash = hashes[0];
  const file = path.join('results/trials', hash.slice(0, 2), `${hash}.json`);
  const record = JSON.parse(readFileSync(path.join(repo, file), 'utf8'));

  it('--json: the stored record, found by 10 digits of its hash', async () => {
    const r = await bnlab(['trial', hash.slice(0, 10), '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ file, ...record });
  });

  it('shows the configuration, the final figures and three charts of the history', async () => {
    const r = await bnlab(['trial', hash.slice(0, 10).toUpperCase()]);
    expect(r.exitCode, r.stderr).toBe(0);
    const c = record.identity.config;
    expect(r.stdout).toContain(`trial ${hash}\n`);
    expect(r.stdout).toContain(`hidden [${c.hidden.join(', ')}], ${c.batchNorm ? 'batch norm' : 'no batch norm'}`);
    expect(r.stdout).toContain(`λ ${c.lambda}`);
    expect(r.stdout).toContain(`test ${(100 * record.result.accuracy.test).toFixed(2)} %`);
    for (const title of ['accuracy (%)', 'cost', 'learning rate at the recorded updates']) expect(r.stdout).toMatch(new RegExp(`^${title.replace(/[()]/g, '\\$&')} `, 'm'));
    // the x axis runs from update 0 to the last recorded update
    const last = record.result.history.at(-1).update;
    expect(r.stdout).toMatch(new RegExp(`^ +0 +update +${last}$`, 'm'));
    // the top of the accuracy chart is the highest accuracy recorded (3 significant digits)
    const top = Math.max(...record.result.history.flatMap((h: any) => [h.accuracy.train, h.accuracy.validation])) * 100;
    expect(r.stdout).toContain(`${Number(top.toPrecision(3))} ┤`);
  });

  it('an ambiguous, unknown or malformed prefix: one line, exit 1', async () => {
    const shared = hashes.find((h, i) => i > 0 && h.slice(0, 2) === hashes[i - 1].slice(0, 2))!.slice(0, 2);
    for (const [prefix, message] of [
      [shared, `bnlab: trial: '${shared}' is ambiguous: `],
      ['0'.repeat(40), `bnlab: trial: no trial record under results/trials/ has a hash starting with '${'0'.repeat(40)}'`],
      ['xyz', "bnlab: trial: 'xyz' is not a hash prefix"],
    ]) {
      const r = await bnlab(['trial', prefix]);
      expect(r.exitCode, prefix).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
    }
    expect((await bnlab(['trial'])).stderr).toContain('trial: expected one hash prefix, got 0');
  });
});
