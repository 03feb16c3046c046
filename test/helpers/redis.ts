// A throwaway redis-server for one test file: its own temp directory, no persistence, the eviction
// policy BullMQ needs, on a unix socket (no port races) or a free loopback port. Tests that need it
// say so with REDIS from ./requires.js (skipped when missing, except under CI=true).
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server'];

export function redisServerPath(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

export interface RedisServer {
  /** What `--queue` takes: the socket path, or redis://127.0.0.1:PORT. */
  url: string;
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startRedis(opts: { tcp?: boolean } = {}): Promise<RedisServer> {
  const bin = redisServerPath();
  if (!bin) throw new Error('redis-server is not installed (apt-get install redis-server); CI=true requires it');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bnlab-redis-'));
  const common = ['--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--dir', dir, '--daemonize', 'no', '--loglevel', 'notice'];
  let url: string;
  let args: string[];
  if (opts.tcp) {
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    args = ['--bind', '127.0.0.1', '--port', String(port), ...common];
  } else {
    const sock = path.join(dir, 'redis.sock');
    url = sock;
    args = ['--port', '0', '--unixsocket', sock, '--unixsocketperm', '700', ...common];
  }
  const child = execa(bin, args, { reject: false, stdin: 'ignore', buffer: false });
  await waitReady(child, 5000);
  let stopped: Promise<void> | undefined;
  return {
    url,
    dir,
    pid: child.pid!,
    stop() {
      stopped ??= (async () => {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await child;
        clearTimeout(timer);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** Resolves on redis's ready line (about 0.1 s); rejects with its output otherwise. */
function waitReady(child: ResultPromise, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(`redis-server not ready within ${ms} ms`), ms);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}:\n${out}`));
    }
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      // "Ready to accept connections tcp" / "…now ready to accept connections at /path.sock"
      if (/ready to accept connections/i.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    void child.then((r) => fail(`redis-server exited (${r.exitCode ?? r.signal})`));
  });
}

/** A loopback port nobody listens on right now (redis's --port 0 means "no TCP", not "pick one"). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
