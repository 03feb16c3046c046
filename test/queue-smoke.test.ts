// The smoke study's coarse and fine stages run with `bnlab run --queue` and two `bnlab worker`
// processes (all the built CLI) on a redis-server this file starts, in a workspace whose trial store
// starts empty, against the same stages run locally in another workspace: the result.json files
// must be byte-identical, and the records must come from the two workers (not a shared store).
// During the fine stage one worker is SIGKILLed in the middle of a trial: the other finishes it and
// the stage completes. Ctrl-C during the final stage keeps what finished and leaves the queue so
// that the re-run trains each remaining trial once. And `bnlab run --queue` with nothing listening
// is one clear error.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cifar10Dir as dataDir } from './helpers/cifar10.js';
import { freePort, startRedis, type RedisServer } from './helpers/redis.js';
import { describeWith, REDIS } from './helpers/requires.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');

const env = (root: string) => ({ BNLAB_WORKSPACE: root, BNLAB_CIFAR10_DIR: dataDir, CI: 'true', NX_TASK_TARGET_CONFIGURATION: '' });

function workspace(prefix: string): string {
  const ws = mkdtempSync(path.join(tmpdir(), prefix));
  copyFileSync(path.join(repo, 'experiments.yaml'), path.join(ws, 'experiments.yaml'));
  return ws;
}

function bnlab(root: string, args: string[]): ResultPromise {
  return execa(process.execPath, [bin, ...args], { cwd: root, env: env(root), reject: false, all: true });
}

/** Every record in a workspace's smoke trial store: hash → meta.worker. */
function storedWorkers(root: string): Map<string, string> {
  const dir = path.join(root, 'results/trials');
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const sub of readdirSync(dir)) {
    for (const f of readdirSync(path.join(dir, sub))) {
      const r = JSON.parse(readFileSync(path.join(dir, sub, f), 'utf8'));
      out.set(r.hash, r.meta.worker);
    }
  }
  return out;
}

const result = (root: string, stage: string) => readFileSync(path.join(root, 'results/smoke', stage, 'result.json'));

describeWith([REDIS], 'bnlab run --queue with two bnlab worker processes (smoke profile)', () => {
  let redis: RedisServer;
  let local: string;
  let queued: string;
  const workers: { name: string; child: ResultPromise; log: () => string }[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    local = workspace('bnlab-local-');
    queued = workspace('bnlab-queued-');
    for (const stage of ['data', 'coarse', 'fine', 'final']) {
      const r = await bnlab(local, ['run', stage, '-c', 'smoke']);
      expect(r.exitCode, String(r.all)).toBe(0);
    }
    const d = await bnlab(queued, ['run', 'data', '-c', 'smoke']);
    expect(d.exitCode, String(d.all)).toBe(0);
    for (let i = 0; i < 2; i++) {
      const child = execa(process.execPath, [bin, 'worker', '--queue', redis.url, '-c', 'smoke'], { cwd: queued, env: env(queued), reject: false, buffer: false });
      let text = '';
      child.stderr!.on('data', (b: Buffer) => { text += b.toString(); });
      workers.push({ name: `${hostname()}:${child.pid}`, child, log: () => text });
    }
    for (const w of workers) await waitFor(() => w.log().includes(`bnlab worker ${w.name}: serving`), 30_000, () => w.log());
  });

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.child));
    await redis?.stop();
    for (const ws of [local, queued]) if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('coarse: trained by the workers, result.json byte-identical to the local run', async () => {
    expect(storedWorkers(queued).size).toBe(0); // nothing to reuse: every trial must be trained
    const r = await bnlab(queued, ['run', 'coarse', '-c', 'smoke', '--queue', redis.url]);
    expect(r.exitCode, String(r.all)).toBe(0);
    expect(result(queued, 'coarse').equals(result(local, 'coarse'))).toBe(true);

    const names = new Set(workers.map((w) => w.name));
    const trained = storedWorkers(queued);
    expect(trained.size).toBe(4); // the smoke coarse stage's 4 λ samples
    for (const [hash, worker] of trained) expect(names.has(worker), `${hash} trained by ${worker}`).toBe(true);
    const done = workers.flatMap((w) => w.log().split('\n').filter((l) => l.startsWith('done    coarse #')));
    expect(done).toHaveLength(4);
    // The local records are the same trials, trained by the local pool.
    expect([...storedWorkers(local).entries()].filter(([h]) => trained.has(h)).map(([, w]) => w.startsWith('local#'))).toEqual([true, true, true, true]);
    const timing = JSON.parse(readFileSync(path.join(queued, 'results/smoke/coarse/timing.json'), 'utf8'));
    expect(timing.executor).toBe(`queue ${redis.url}`);
  });

  it('fine: a worker SIGKILLed mid-trial loses nothing, and the stage completes with the same bytes', async () => {
    const runner = bnlab(queued, ['run', 'fine', '-c', 'smoke', '--queue', redis.url]);
    let out = '';
    // Kill the first worker the run reports starting a trial on, at once (a trial takes ~1 s).
    let victim: (typeof workers)[number] | undefined;
    let label = '';
    runner.all!.on('data', (b: Buffer) => {
      out += b.toString();
      for (const w of victim ? [] : workers) {
        const m = new RegExp(`started (fine .+?) on ${w.name}\\b`).exec(out);
        if (!m) continue;
        [victim, label] = [w, m[1]];
        w.child.kill('SIGKILL');
        break;
      }
    });
    const r = await runner;
    expect(r.exitCode, out).toBe(0);
    expect((await victim!.child).signal).toBe('SIGKILL');
    expect(result(queued, 'fine').equals(result(local, 'fine'))).toBe(true);
    // The killed worker's trial was started again on the survivor and finished there.
    const survivor = workers.find((w) => w !== victim)!;
    expect(out).toContain(`started ${label} on ${survivor.name}`);
    expect(out).toMatch(new RegExp(`done ${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} on ${survivor.name}`));
    expect(storedWorkers(queued).size).toBe(8); // 4 coarse + 4 fine trials
  });

  it('Ctrl-C stops waiting, keeps what finished, and a re-run trains each remaining trial once', async () => {
    const worker = workers.find((w) => w.child.exitCode === null && w.child.signalCode === null)!;
    const doneLines = () => worker.log().split('\n').filter((l) => l.startsWith('done    final ')).length;
    const runner = bnlab(queued, ['run', 'final', '-c', 'smoke', '--queue', redis.url]);
    let out = '';
    let interrupted = false;
    runner.all!.on('data', (b: Buffer) => {
      out += b.toString();
      if (!interrupted && /done final /.test(out)) {
        interrupted = true;
        runner.kill('SIGINT'); // after the first trial: the next one is in flight, two are queued
      }
    });
    const r = await runner;
    expect(r.exitCode, out).toBe(130);
    expect(existsSync(path.join(queued, 'results/smoke/final/result.json'))).toBe(false);
    expect(storedWorkers(queued).size).toBeGreaterThanOrEqual(9); // 8 earlier + what finished before Ctrl-C

    const again = await bnlab(queued, ['run', 'final', '-c', 'smoke', '--queue', redis.url]);
    expect(again.exitCode, String(again.all)).toBe(0);
    expect(result(queued, 'final').equals(result(local, 'final'))).toBe(true);
    // The trial in flight at Ctrl-C finished on the worker and was read back, not trained again.
    await waitFor(() => doneLines() >= 4, 5000, () => worker.log());
    expect(doneLines()).toBe(4); // the smoke final stage's 2 nets × 2 runs
  });

  it('fails with one line naming the URL when nothing listens there', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const t0 = Date.now();
    const r = await execa(process.execPath, [bin, 'run', 'sigma', '-c', 'smoke', '--queue', url], { cwd: local, env: { ...env(local) }, reject: false });
    // sigma's trials are not in the local store, so the run needs the queue.
    expect(r.exitCode).toBe(1);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.stderr).toMatch(new RegExp(`^bnlab: cannot reach Redis at ${url}: .*ECONNREFUSED`, 'm'));
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

async function waitFor(ok: () => boolean, ms: number, why: () => string): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}
