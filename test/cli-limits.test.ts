// Issue 17, items 5 and 7, through the built CLI (no data needed: every check here comes before any
// work): absurd settings, files and flags get one line naming the setting and the fix, a non-zero
// exit, and nothing started.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
let ws: string;
const shipped = readFileSync(path.join(repo, 'experiments.yaml'), 'utf8');
const bnlab = (args: string[]) =>
  execa(process.execPath, [bin, ...args], { cwd: ws, reject: false, timeout: 60_000, env: { BNLAB_WORKSPACE: ws, NX_TASK_TARGET_CONFIGURATION: '', BNLAB_CIFAR10_DIR: path.join(ws, 'nowhere') } });
function study(edit: (t: string) => string): void {
  const next = edit(shipped);
  expect(next).not.toBe(shipped);
  writeFileSync(path.join(ws, 'experiments.yaml'), next);
}

beforeAll(() => {
  ws = mkdtempSync(path.join(tmpdir(), 'bnlab-limits-'));
  copyFileSync(path.join(repo, 'experiments.yaml'), path.join(ws, 'experiments.yaml'));
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('issue 17: limits (item 5)', () => {
  it.each([
    ['samples: 1000000000', (t: string) => t.replace('        samples: 4\n', '        samples: 1000000000\n'), /^bnlab: experiments\.yaml:\d+:\d+ profiles\.smoke\.stages\.coarse\.samples: must be <= 10000 \(one trial per draw; the reference drew 50\)$/],
    ['cycles: 1e6', (t: string) => t.replace('        cycles: 1\n', '        cycles: 1000000\n'), /profiles\.smoke\.defaults\.training\.cycles: must be <= 1000 \(learning-rate cycles/],
    ['nsUpdates: 1e9', (t: string) => t.replace('        nsUpdates: 6\n', '        nsUpdates: 1000000000\n'), /profiles\.smoke\.defaults\.training\.nsUpdates: must be <= 1000000/],
    ['pointsPerCycle: 1e9', (t: string) => t.replace('        pointsPerCycle: 2\n', '        pointsPerCycle: 1000000000\n'), /profiles\.smoke\.defaults\.training\.pointsPerCycle: must be <= 1000/],
  ])('%s is refused by plan with the setting, its limit and a hint', async (_n, edit, line) => {
    study(edit);
    const r = await bnlab(['plan', '-c', 'smoke']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(line)]);
  });

  it('a study whose sane settings multiply into too many updates is refused by plan and run before any work', async () => {
    study((t) => t.replace('        samples: 4\n', '        samples: 10000\n').replace('        nsUpdates: 6\n', '        nsUpdates: 1000000\n'));
    for (const cmd of [['plan', '-c', 'smoke'], ['run', 'data', '-c', 'smoke']]) {
      const r = await bnlab(cmd);
      expect(r.exitCode).toBe(1);
      expect(r.stderr.trim()).toMatch(/^bnlab: experiments\.yaml: profile 'smoke': the study plans up to 2\.01e\+10 updates .*; the limit is 1e\+9 \(fewer trials/);
    }
    expect(existsSync(path.join(ws, 'results'))).toBe(false);
  });

  it('a 50 MB study file is refused at once', async () => {
    writeFileSync(path.join(ws, 'experiments.yaml'), `version: 1\nstages:\n  sigma:\n    sigmas: [${Array(5_000_000).fill('0.1').join(', ')}]\n`);
    const t0 = Date.now();
    const r = await bnlab(['plan']);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toMatch(/^bnlab: experiments\.yaml the study file is \d+\.\d MiB; the limit is 1 MiB/);
  });
});

describe('issue 17: messages that name the setting and the fix (item 7)', () => {
  const yaml = (name: string, text: string) => {
    writeFileSync(path.join(ws, name), text);
    return name;
  };
  it.each([
    // The issue's `exponents: [300, 400]` (λ = 10^300 … 10^400), in today's search syntax.
    ['a λ range of 1e300 … 1e400', 'version: 1\nstages:\n  coarse:\n    kind: search\n    samples: 4\n    space: { lambda: { logUniform: [1.0e+300, 1.0e+400] } }\n',
      /^bnlab: e\.yaml:6:47 1\.0e\+400 is not a finite number \(a double overflows past 1\.8e308\): write the value you mean$/],
    ['a λ range of 1e300 … 1e301', 'version: 1\nstages:\n  coarse:\n    kind: search\n    samples: 4\n    space: { lambda: { logUniform: [1.0e+300, 1.0e+301] } }\n',
      /^bnlab: e\.yaml:6:37 stages\.coarse\.space\.lambda\.logUniform\[0\]: 1e\+300 is not a valid lambda: must be ≤ 10$/],
    ['a net with no hidden layer', 'version: 1\ndefaults:\n  nets:\n    3-layer: []\n',
      /^bnlab: e\.yaml:4:14 defaults\.nets\.3-layer: must NOT have fewer than 1 items \(list the hidden layers' widths, e\.g\. \[50, 50\]: at least one, at most 64\)$/],
    ['a multi-document file', 'version: 1\n---\nversion: 1\n',
      /^bnlab: e\.yaml:2:1 YAML: a second document starts here \('---'\); a study is one document: remove the '---' line and merge the two$/],
    ['an alias bomb', `version: 1\na: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [${Array(10).fill('*a').join(',')}]\nc: &c [${Array(10).fill('*b').join(',')}]\nd: &d [${Array(10).fill('*c').join(',')}]\ne: [${Array(10).fill('*d').join(',')}]\n`,
      /^bnlab: e\.yaml YAML: Excessive alias count .*; expand fewer aliases \(\*name\) of large anchors \(&name\)$/],
  ])('%s: one line with the file, the setting and the fix', async (_n, text, line) => {
    const r = await bnlab(['plan', '--config', yaml('e.yaml', text)]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')[0]).toMatch(line);
  });

  it.each([
    [['train', '--lambda', '-1'], 'bnlab: --lambda: -1 must be ≥ 0 (L2 regularisation λ of the cost; default 0.005)'],
    [['run', 'data', '--workers', '-2'], "bnlab: --workers: '-2' must be an integer ≥ 1"],
    [['train', '--save', '/nonexistent-dir/model.json'], 'bnlab: --save: cannot write /nonexistent-dir/model.json: the directory /nonexistent-dir does not exist (checked before training; choose another path)'],
  ])('bnlab %j says what is wrong with the value, before any work', async (args, line) => {
    writeFileSync(path.join(ws, 'experiments.yaml'), shipped);
    const r = await bnlab(args);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(line);
  });

  it('--dir that does not exist is an error naming it, and nothing is downloaded into it', async () => {
    const typo = path.join(ws, 'data', 'cifar-10-batchs-bin');
    const r = await bnlab(['data', '--dir', typo]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(`bnlab: CIFAR-10: the directory ${typo} (--dir / data.dir) does not exist; correct the path, create it to download CIFAR-10 into it, or leave --dir / data.dir out to use data/cifar-10-batches-bin`);
    expect(existsSync(typo)).toBe(false);
  });
});
