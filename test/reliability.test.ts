// Issue 17 (reliability), end to end through the built CLI on the real CIFAR-10 subset, profile smoke,
// in a temporary workspace: each failure the soak found, reproduced and now handled.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cifar10Dir as dataDir } from './helpers/cifar10.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
// Real images always: the checkout's CIFAR-10, else the committed fixture (test/helpers/cifar10.ts).
const run = describe;

const STAGES = ['data', 'gradcheck', 'curves', 'coarse', 'fine', 'final', 'sigma'];
let ws: string;

function bnlab(args: string[], extraEnv: Record<string, string> = {}) {
  return execa(process.execPath, [bin, ...args], {
    cwd: ws,
    reject: false,
    env: { BNLAB_WORKSPACE: ws, BNLAB_CIFAR10_DIR: dataDir, CI: 'true', NX_TASK_TARGET_CONFIGURATION: '', ...extraEnv },
  });
}
const resultPath = (stage: string) => path.join(ws, 'results/smoke', stage, 'result.json');
const storeDir = () => path.join(ws, 'results/trials');
function recordFiles(): string[] {
  if (!existsSync(storeDir())) return [];
  return readdirSync(storeDir()).flatMap((d) => readdirSync(path.join(storeDir(), d)).filter((f) => f.endsWith('.json')).map((f) => path.join(storeDir(), d, f)));
}
function snapshot(): Record<string, string> {
  return Object.fromEntries(STAGES.map((s) => [s, readFileSync(resultPath(s), 'utf8')]));
}
const trained = (stage: string): number => JSON.parse(readFileSync(path.join(ws, 'results/smoke', stage, 'timing.json'), 'utf8')).trials.trained;

let baseline: Record<string, string>;
{
  beforeAll(async () => {
    ws = mkdtempSync(path.join(tmpdir(), 'bnlab-rel-'));
    copyFileSync(path.join(repo, 'experiments.yaml'), path.join(ws, 'experiments.yaml'));
    const r = await bnlab(['run', 'all', '-c', 'smoke']);
    expect(r.exitCode, r.stderr).toBe(0);
    baseline = snapshot();
  }, 120_000);
  afterAll(() => rmSync(ws, { recursive: true, force: true }));
}

run('issue 17: integrity', () => {
  it('a changed digit of a trial\'s validation accuracy is reported, deleted and recomputed; every result stays the same', async () => {
    const coarse = JSON.parse(baseline.coarse);
    const victim = coarse.trials[0].hash as string;
    const file = path.join(storeDir(), victim.slice(0, 2), `${victim}.json`);
    const text = readFileSync(file, 'utf8');
    const m = /"accuracy":\{"test":[0-9.e-]+,"train":[0-9.e-]+,"validation":0\.(\d)/.exec(text)!;
    const at = m.index + m[0].length - 1;
    const flipped = text.slice(0, at) + String((Number(text[at]) + 1) % 10) + text.slice(at + 1);
    writeFileSync(file, flipped);

    const r = await bnlab(['run', 'all', '-c', 'smoke']);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.includes('is corrupt'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(victim);
    expect(lines[0]).toContain('not its checksum');
    expect(trained('coarse')).toBe(1);
    // Recomputed: the same result (meta, how it went, is new).
    expect(JSON.parse(readFileSync(file, 'utf8')).result).toEqual(JSON.parse(text).result);
    expect(snapshot()).toEqual(baseline);
  }, 120_000);

  it('a changed digit of an upstream result.json is reported and deleted, and the next run recomputes it', async () => {
    const file = resultPath('coarse');
    writeFileSync(file, baseline.coarse.replace(/"validation": 0\.(\d)/, (_m, d: string) => `"validation": 0.${(Number(d) + 1) % 10}`));
    expect(readFileSync(file, 'utf8')).not.toBe(baseline.coarse);
    const r = await bnlab(['run', 'fine', '-c', 'smoke']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toMatch(/^bnlab: run 'coarse' again: results\/smoke\/coarse\/result.json is corrupt \(its content hashes to [0-9a-f]{12}…, not its checksum [0-9a-f]{12}… \(a value was changed\)\); deleted$/);
    expect(existsSync(file)).toBe(false);
    const again = await bnlab(['run', 'all', '-c', 'smoke']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(snapshot()).toEqual(baseline);
  }, 120_000);

  it('every record and result carries the checksum of its content', () => {
    for (const f of recordFiles()) expect(readFileSync(f, 'utf8')).toMatch(/"checksum":"[0-9a-f]{64}"/);
    for (const s of STAGES) expect(JSON.parse(readFileSync(resultPath(s), 'utf8')).checksum).toMatch(/^[0-9a-f]{64}$/);
  });
});

const canUnshare = execaSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { reject: false }).exitCode === 0;
if (!canUnshare) console.log('reliability: PID-namespace spec skipped: `unshare --pid` is not permitted here (needs root or user namespaces; util-linux)');

run('issue 17: a run SIGKILLed as PID 1 of a PID namespace', () => {
  it.skipIf(!canUnshare)('leaves locks naming pid 1, which a later run takes over within a minute', async () => {
    const coarse = JSON.parse(baseline.coarse);
    for (const t of coarse.trials) rmSync(path.join(storeDir(), t.hash.slice(0, 2), `${t.hash}.json`), { force: true });
    const locks = () => readdirSync(storeDir()).flatMap((d) => readdirSync(path.join(storeDir(), d)).filter((f) => f.endsWith('.lock')).map((f) => path.join(storeDir(), d, f)));

    const child = execa('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, bin, 'run', 'coarse', '-c', 'smoke'], {
      cwd: ws, reject: false, env: { BNLAB_WORKSPACE: ws, BNLAB_CIFAR10_DIR: dataDir, CI: 'true', NX_TASK_TARGET_CONFIGURATION: '' },
    });
    const deadline = Date.now() + 60_000;
    while (locks().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // The namespace's PID 1 is unshare's child; killing it ends the namespace, like a container's.
    const pid1 = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]);
    process.kill(pid1, 'SIGKILL');
    await child;
    const left = locks();
    expect(left.length).toBeGreaterThan(0);
    for (const f of left) expect(readFileSync(f, 'utf8')).toMatch(/^1 \S+ pid:\[\d+\] [0-9a-f]{16}\n$/);

    const t0 = Date.now();
    const r = await bnlab(['run', 'coarse', '-c', 'smoke']);
    const seconds = (Date.now() - t0) / 1000;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).toContain('locked by pid 1');
    expect(seconds).toBeLessThan(60);
    expect(locks()).toEqual([]);
    expect(readFileSync(resultPath('coarse'), 'utf8')).toBe(baseline.coarse);
  }, 150_000);
});

run('issue 17: durability', () => {
  it('the temp files of killed writes are removed by the next run', async () => {
    const sub = readdirSync(storeDir())[0];
    const dead = 4_194_305; // no live process has this pid
    const ns = /\d+/.exec(readlinkSync('/proc/self/ns/pid'))![0];
    const planted = [
      path.join(storeDir(), sub, `${'0'.repeat(64)}.json.tmp-${hostname()}-${ns}-${dead}-k1`),
      path.join(ws, 'results/smoke/coarse', `result.json.tmp-${hostname()}-${ns}-${dead}-k2`),
    ];
    for (const f of planted) writeFileSync(f, '{"half":');
    const r = await bnlab(['run', 'coarse', '-c', 'smoke']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('trial store: removed 1 temp file of killed writes');
    for (const f of planted) expect(existsSync(f), f).toBe(false);
  });
});
