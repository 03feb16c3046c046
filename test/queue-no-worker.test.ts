// Issue 17, item 4: `bnlab run <stage> --queue URL` with no worker used to print "4 to train" and wait
// silently for ever. Now it says within seconds that no worker serves the queue and how many trials
// wait, repeats a status line, and --queue-timeout ends the wait with exit 4 and what is left.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './helpers/redis.js';
import { REDIS, runs } from './helpers/requires.js';
import { cifar10Dir as dataDir } from './helpers/cifar10.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
const run = runs(REDIS) ? describe : describe.skip;
if (!runs(REDIS)) process.stderr.write(`skipped test/queue-no-worker.test.ts: needs redis-server (apt-get install redis-server)\n`);

let redis: RedisServer;
let ws: string;
const bnlab = (args: string[]) =>
  execa(process.execPath, [bin, ...args], {
    cwd: ws, reject: false, all: true,
    env: { BNLAB_WORKSPACE: ws, BNLAB_CIFAR10_DIR: dataDir, CI: 'true', NX_TASK_TARGET_CONFIGURATION: '', BNLAB_QUEUE: '' },
  });

run('a queue with no worker', () => {
  beforeAll(async () => {
    redis = await startRedis();
    ws = mkdtempSync(path.join(tmpdir(), 'bnlab-noworker-'));
    copyFileSync(path.join(repo, 'experiments.yaml'), path.join(ws, 'experiments.yaml'));
    const r = await bnlab(['run', 'data', '-c', 'smoke']);
    expect(r.exitCode, r.all).toBe(0);
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(ws, { recursive: true, force: true });
  });

  it('says so within seconds, and --queue-timeout exits 4 with what is left', async () => {
    const t0 = Date.now();
    const r = await bnlab(['run', 'coarse', '-c', 'smoke', '--queue', redis.url, '--queue-timeout', '7']);
    const seconds = (Date.now() - t0) / 1000;
    expect(r.exitCode, r.all).toBe(4);
    const lines = r.stderr.split('\n');
    const status = lines.find((l) => l.includes('no worker is serving the queue'));
    expect(status).toMatch(/^bnlab: queue \S+: no worker is serving the queue; 4 trials waiting \(\d s\)\. Start one: bnlab worker --queue \S+$/);
    expect(lines.find((l) => l.includes('--queue-timeout:'))).toMatch(/^bnlab: --queue-timeout: 4 of 4 trials not done after 7 s \(0 running, 4 waiting, 0 workers serving the queue\)/);
    expect(seconds).toBeLessThan(20);
    expect(existsSync(path.join(ws, 'results/smoke/coarse/result.json'))).toBe(false);
  });

  it('a worker started later trains what was withdrawn', async () => {
    const worker = execa(process.execPath, [bin, 'worker', '--queue', redis.url, '-c', 'smoke'], {
      cwd: ws, reject: false, env: { BNLAB_WORKSPACE: ws, BNLAB_CIFAR10_DIR: dataDir, CI: 'true' },
    });
    try {
      const r = await bnlab(['run', 'coarse', '-c', 'smoke', '--queue', redis.url, '--queue-timeout', '120']);
      expect(r.exitCode, r.all).toBe(0);
      expect(r.stderr).not.toContain('no worker is serving');
    } finally {
      worker.kill('SIGTERM');
      await worker;
    }
  });

  it('--queue-timeout without a queue, or not a positive number, is a usage error', async () => {
    const a = await bnlab(['run', 'coarse', '-c', 'smoke', '--queue-timeout', '5']);
    expect(a.exitCode).toBe(1);
    expect(a.stderr.trim()).toBe('bnlab: --queue-timeout: only with a queue (--queue URL, env BNLAB_QUEUE or executor.kind: queue)');
    const b = await bnlab(['run', 'coarse', '-c', 'smoke', '--queue', redis.url, '--queue-timeout', 'soon']);
    expect(b.stderr.trim()).toBe("bnlab: --queue-timeout: 'soon' is not a number");
  });
});
