// Under Nx: `BNLAB_QUEUE=… nx run pipeline:coarse -c smoke` reaches the stage (a `bnlab worker`
// trains its trials), and where the trials ran is no part of any hash: the same targets run again
// without BNLAB_QUEUE are all Nx cache hits.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkspace, nx, removeWorkspace, repo, tasks } from './helpers/nx-workspace.js';
import { runRedisTests, startRedis, type RedisServer } from './helpers/redis.js';

const dataDir = process.env.BNLAB_CIFAR10_DIR ?? path.join(repo, 'data/cifar-10-batches-bin');
const haveData = existsSync(path.join(dataDir, 'data_batch_1.bin'));
const run = runRedisTests && (haveData || process.env.CI === 'true') ? describe : describe.skip;

run('BNLAB_QUEUE under nx run', () => {
  let ws: string;
  let redis: RedisServer;

  beforeAll(async () => {
    ws = copyWorkspace('bnlab-queue-nx-');
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    if (ws) removeWorkspace(ws);
  });

  it('trains on the queue, and the same targets are cache hits without it', async () => {
    const env = { BNLAB_CIFAR10_DIR: dataDir, CI: 'true' };
    const worker = execa(process.execPath, [path.join(repo, 'packages/pipeline/bin/bnlab.js'), 'worker', '--queue', redis.url, '-c', 'smoke'], {
      cwd: ws, env: { ...env, BNLAB_WORKSPACE: ws, NX_TASK_TARGET_CONFIGURATION: '' }, reject: false, buffer: false,
    });
    let log = '';
    worker.stderr!.on('data', (b: Buffer) => { log += b.toString(); });
    try {
      const queued = await nx(ws, ['run', 'pipeline:coarse', '-c', 'smoke'], { ...env, BNLAB_QUEUE: redis.url });
      expect(queued.exitCode, String(queued.all)).toBe(0);
      expect(tasks(String(queued.all)).ran).toEqual(expect.arrayContaining(['pipeline:data:smoke', 'pipeline:coarse:smoke']));
      const name = `${hostname()}:${worker.pid}`;
      expect(log.split('\n').filter((l) => l.startsWith('done    coarse #') && l.includes(name))).toHaveLength(4);

      const local = await nx(ws, ['run', 'pipeline:coarse', '-c', 'smoke'], env);
      expect(local.exitCode, String(local.all)).toBe(0);
      const t = tasks(String(local.all));
      expect(t.cached).toEqual(expect.arrayContaining(['pipeline:data:smoke', 'pipeline:coarse:smoke']));
      expect(t.ran.filter((id) => id.startsWith('pipeline:') && id.endsWith(':smoke'))).toEqual([]);
    } finally {
      worker.kill('SIGTERM');
      await worker;
    }
  });
});
