// Where the queue lives and how to reach it. A queue URL is `redis://[user:pass@]host[:port][/db]`
// (`rediss://` for TLS) or a unix socket path (`/path/redis.sock`, `./redis.sock`, `unix:/path`).
// BullMQ's connections retry forever by default, so an unreachable server would hang a run silently:
// every entry point first checks the server with one bounded connection attempt (`checkRedis`) and
// turns a failure into one line naming the URL.
import { Redis, type RedisOptions } from 'ioredis';
import { BnlabError, UsageError } from '../errors.js';

/** BullMQ key prefix and queue name: keys are `bnlab:trials:*`. */
export const QUEUE_PREFIX = 'bnlab';
export const QUEUE_NAME = 'trials';

export interface QueueTarget {
  /** The URL as the user gave it, password masked: the name every message uses. */
  display: string;
  options: RedisOptions;
}

export function parseQueueUrl(url: string): QueueTarget {
  const text = url.trim();
  if (text === '') throw new UsageError('queue URL is empty (expected redis://host:port or a unix socket path)');
  if (text.startsWith('unix:')) return socketTarget(text.slice('unix:'.length).replace(/^\/\/(?=\/)/, ''), text);
  if (text.startsWith('/') || text.startsWith('./') || text.startsWith('../')) return socketTarget(text, text);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`queue URL '${text}' is not redis://host:port or a unix socket path`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UsageError(`queue URL '${text}': protocol '${u.protocol}' is not redis: or rediss: (or give a unix socket path)`);
  }
  if (u.hostname === '') throw new UsageError(`queue URL '${text}' has no host`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const db = u.pathname === '' || u.pathname === '/' ? 0 : Number(u.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0) throw new UsageError(`queue URL '${text}': database '${u.pathname.slice(1)}' is not a number`);
  const options: RedisOptions = { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port, db };
  if (u.username) options.username = decodeURIComponent(u.username);
  if (u.password) options.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') options.tls = {};
  const display = u.password ? text.replace(`:${u.password}@`, ':***@') : text;
  return { display, options };
}

function socketTarget(socketPath: string, display: string): QueueTarget {
  if (socketPath === '') throw new UsageError(`queue URL '${display}' names no socket path`);
  return { display, options: { path: socketPath } };
}

/** How long one connection attempt may take before the server counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 3000;

/**
 * Options for BullMQ's connections once the server answered. They reconnect with a capped backoff
 * (a restarted server is picked up again); callers that must not wait forever watch the connection
 * themselves (the executor's watchdog, the worker's log line).
 */
export function bullConnection(target: QueueTarget): RedisOptions {
  return {
    ...target.options,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(250 * times, 2000),
  };
}

/**
 * One bounded attempt to reach the server: connect, PING, and read its eviction policy (BullMQ needs
 * `noeviction`: an evicting server may silently drop jobs). Resolves, or throws one BnlabError
 * naming the URL within about `timeoutMs`.
 */
export async function checkRedis(target: QueueTarget, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Errors are reported through connect()'s rejection; without a listener ioredis prints them too.
  let lastError: Error | undefined;
  client.on('error', (err: Error) => { lastError = err; });
  try {
    await withTimeout(client.connect(), timeoutMs + 500, () => lastError ?? new Error(`no answer within ${timeoutMs} ms`));
    await withTimeout(client.ping(), timeoutMs, () => new Error(`no answer to PING within ${timeoutMs} ms`));
    const policy = await withTimeout(client.config('GET', 'maxmemory-policy'), timeoutMs, () => new Error('no answer to CONFIG GET'))
      .catch(() => undefined); // CONFIG may be disabled (managed Redis): then we cannot tell, and do not block on it
    const value = Array.isArray(policy) ? policy[1] : undefined;
    if (typeof value === 'string' && value !== 'noeviction') {
      throw new BnlabError(`Redis at ${target.display} has maxmemory-policy '${value}': BullMQ needs 'noeviction' (start redis-server with --maxmemory-policy noeviction)`);
    }
  } catch (err) {
    if (err instanceof BnlabError) throw err;
    // connect() rejects with a bare "Connection is closed."; the cause (ECONNREFUSED, ENOENT…) came as an 'error' event.
    const reason = describeError(lastError ?? err);
    throw new BnlabError(`cannot reach Redis at ${target.display}: ${reason}`);
  } finally {
    client.disconnect();
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const msg = err.message.split('\n')[0];
    return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
  }
  return String(err);
}

export function withTimeout<T>(p: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(error()), ms); }),
  ]).finally(() => clearTimeout(timer));
}
