// Per-trial locks, so two processes never train the same trial at once: an O_EXCL lock file beside
// the record holding "<pid> <host> <pid namespace> <token>", whose modification time the holder
// refreshes every HEARTBEAT_MS while it holds it (one timer for all its locks, on the main thread,
// which is free while trials train on worker threads or remote workers).
//
// A lock is stale, and broken by the next process that wants it, when
//   - its heartbeat stopped: not refreshed for STALE_MS, whatever its pid says. This is what frees
//     the locks of a run SIGKILLed as PID 1 of a container (PID 1 is always alive), of a reused pid,
//     or of a process on another machine sharing the folder; or
//   - sooner, when its process is dead and the pid means something here: same host and same PID
//     namespace (a pid from another namespace may name anything).
//
// Why not a library: proper-lockfile (4.1.2, 2021, the usual choice) has the same mtime-heartbeat
// design but its lock is an empty directory (it cannot say who holds it, which the waiting line
// names), its compromised-lock default throws from a timer, and it is async where the store is
// synchronous. An OS lock (flock/fcntl) dies with its process, but Node has none without a native
// addon, and flock is unreliable on network file systems. A heartbeat needs 40 lines.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { pidNamespace, processAlive } from '../util/process.js';

/** How often a holder refreshes its locks' mtime. */
export const HEARTBEAT_MS = 5_000;
/** A lock not refreshed for this long is stale: a later run takes over within STALE_MS + its poll. */
export const STALE_MS = 30_000;

export function lockPath(dir: string, hash: string): string {
  return path.join(dir, hash.slice(0, 2), `${hash}.lock`);
}

const token = randomBytes(8).toString('hex');
const ownText = `${process.pid} ${hostname()} ${pidNamespace()} ${token}\n`;
const held = new Set<string>();
let timer: NodeJS.Timeout | undefined;

function beat(): void {
  const now = new Date();
  for (const file of held) {
    try {
      // Someone broke it (we were stopped longer than STALE_MS): it is theirs now.
      if (readFileSync(file, 'utf8') !== ownText) held.delete(file);
      else utimesSync(file, now, now);
    } catch {
      held.delete(file);
    }
  }
  if (held.size === 0) stopBeating();
}

function stopBeating(): void {
  clearInterval(timer);
  timer = undefined;
}

/** Who holds the lock ("pid 123 on host h"), or undefined when it is free or stale. */
export function lockHolder(file: string, now = Date.now()): string | undefined {
  let text: string;
  let age: number;
  try {
    text = readFileSync(file, 'utf8');
    age = now - statSync(file).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (age > STALE_MS) return undefined;
  // Created but not yet written (or left empty by a crash between open and write): young, so wait.
  const m = /^(\d+) (\S+)(?: (\S+))?/.exec(text);
  if (!m) return 'a process starting up';
  const pid = Number(m[1]);
  const host = m[2];
  const ns = m[3];
  if (host === hostname() && ns === pidNamespace() && !processAlive(pid)) return undefined;
  return `pid ${pid} on ${host}`;
}

/** Takes the lock of trial `hash`; false when a live process holds it. Breaks a stale lock. */
export function tryLock(dir: string, hash: string): boolean {
  const file = lockPath(dir, hash);
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, ownText);
      } finally {
        closeSync(fd);
      }
      held.add(file);
      timer ??= setInterval(beat, HEARTBEAT_MS).unref();
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (lockHolder(file) !== undefined) return false;
    // Two processes breaking the same stale lock at the same instant could both win; that needs a
    // crash and a simultaneous restart of two runs on the same trial, and costs a duplicate training
    // of identical numbers (the record is written atomically either way).
    rmSync(file, { force: true });
  }
  return false;
}

/** Releases the lock of trial `hash` if it is still ours (after a takeover it is someone else's). */
export function unlock(dir: string, hash: string): void {
  const file = lockPath(dir, hash);
  held.delete(file);
  if (held.size === 0) stopBeating();
  try {
    if (readFileSync(file, 'utf8') !== ownText) return;
  } catch {
    return;
  }
  rmSync(file, { force: true });
}
