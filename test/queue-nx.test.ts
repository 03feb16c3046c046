// Several machines under Nx. `BNLAB_QUEUE=… nx run pipeline:coarse -c smoke` reaches the stage (a
// `bnlab worker` trains its trials), and where the trials ran is no part of any hash: the same
// targets run again without BNLAB_QUEUE are all Nx cache hits. And Nx's stage cache is shared
// through a self-hosted remote cache (NX_SELF_HOSTED_REMOTE_CACHE_SERVER, Nx's published HTTP API:
// GET/PUT /v1/cache/{hash}): a second workspace at another path restores the stages from it.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkspace, nx, removeWorkspace, repo, tasks } from './helpers/nx-workspace.js';
import { cifar10Dir as dataDir } from './helpers/cifar10.js';
import { freePort, startRedis, type RedisServer } from './helpers/redis.js';
import { describeWith, REDIS } from './helpers/requires.js';


describeWith([REDIS], 'BNLAB_QUEUE under nx run', () => {
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

/** An in-memory Nx remote cache on 127.0.0.1: the two endpoints of Nx's self-hosted cache API. */
function cacheServer(token: string): { server: Server; store: Map<string, Buffer> } {
  const store = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    const hash = /^\/v1\/cache\/([^/?]+)$/.exec(req.url ?? '')?.[1];
    if (!hash) return void res.writeHead(404).end();
    if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(403).end();
    if (req.method === 'GET') {
      const body = store.get(hash);
      return void (body ? res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body) : res.writeHead(404).end());
    }
    if (req.method !== 'PUT') return void res.writeHead(405).end();
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      if (store.has(hash)) return void res.writeHead(409).end();
      store.set(hash, Buffer.concat(parts));
      res.writeHead(202).end();
    });
  });
  return { server, store };
}

describe('a self-hosted Nx remote cache shared by two workspaces', () => {
  const workspaces: string[] = [];
  let cache: ReturnType<typeof cacheServer>;
  let url: string;

  beforeAll(async () => {
    cache = cacheServer('s3cret');
    const port = await freePort();
    await new Promise<void>((resolve) => cache.server.listen(port, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => cache.server.close(resolve));
    for (const ws of workspaces) removeWorkspace(ws);
  });

  it('restores the stages in a second workspace from the first one\'s uploads, byte for byte', async () => {
    const env = { BNLAB_CIFAR10_DIR: dataDir, CI: 'true', NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 's3cret' };
    const [a, b] = [copyWorkspace('bnlab-cache-a-'), copyWorkspace('bnlab-cache-b-')];
    workspaces.push(a, b);
    const first = await nx(a, ['run', 'pipeline:coarse', '-c', 'smoke'], env);
    expect(first.exitCode, String(first.all)).toBe(0);
    expect(tasks(String(first.all)).ran).toEqual(expect.arrayContaining(['pipeline:data:smoke', 'pipeline:coarse:smoke']));
    expect(cache.store.size).toBeGreaterThanOrEqual(2);

    const second = await nx(b, ['run', 'pipeline:coarse', '-c', 'smoke'], env);
    expect(second.exitCode, String(second.all)).toBe(0);
    const plain = String(second.all).replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/> nx run pipeline:coarse:smoke {2}\[remote cache\]/);
    expect(plain).toMatch(/> nx run pipeline:data:smoke {2}\[remote cache\]/);
    const result = (ws: string) => readFileSync(path.join(ws, 'results/smoke/coarse/result.json'));
    expect(result(b).equals(result(a))).toBe(true);
    // Nothing was trained in b: its trial store (outside every Nx output) is still empty.
    expect(existsSync(path.join(b, 'results/trials'))).toBe(false);
  });
});
