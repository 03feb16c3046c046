// Per-trial locks, so two processes never train the same trial at once: an O_EXCL lock file beside
// the record holding "<pid> <host>". A lock whose process is dead (same host) is stale and broken.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

export function lockPath(dir: string, hash: string): string {
  return path.join(dir, hash.slice(0, 2), `${hash}.lock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds the lock ("pid 123 on host h"), or undefined when it is free or stale. */
export function lockHolder(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const m = /^(\d+) (\S+)/.exec(text);
  if (!m) {
    // Created but not yet written, or left empty by a crash between open and write.
    let age = 0;
    try {
      age = Date.now() - statSync(file).mtimeMs;
    } catch {
      return undefined;
    }
    return age > 10_000 ? undefined : 'a process starting up';
  }
  const pid = Number(m[1]);
  const host = m[2];
  // On another host the pid means nothing here: trust the lock.
  if (host === hostname() && !alive(pid)) return undefined;
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
        writeSync(fd, `${process.pid} ${hostname()}\n`);
      } finally {
        closeSync(fd);
      }
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

export function unlock(dir: string, hash: string): void {
  rmSync(lockPath(dir, hash), { force: true });
}
