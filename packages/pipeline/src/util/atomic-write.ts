// Every result and cache entry is written to a temp file beside its target and renamed into place,
// so a reader sees a valid entry or none: an interrupted run never leaves half a file.
//
// Durability, as SQLite and DVC do it: the temp file is fsynced before the rename (else after a power
// loss the new name may point at blocks never written) and the directory after it (else the rename
// itself may be lost). Measured cost: see README, Reliability.
//
// A write killed between its temp file and the rename leaves the temp file behind; sweepTempFiles
// removes those of dead writers. The temp name says who wrote it (host, PID namespace, pid), so a
// live writer's temp file is never removed, whatever namespace or host it runs in.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { pidNamespace, processAlive } from './process.js';

/** A temp file older than this is a dead writer's whoever it names (a write takes milliseconds). */
export const TEMP_MAX_AGE_MS = 60_000;

const ns = /\d+/.exec(pidNamespace())?.[0] ?? '0';
const host = hostname();
const TEMP = /\.tmp-(.+)-(\d+)-(\d+)-[0-9a-z]+$/;

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${host}-${ns}-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    // ENOSPC, EROFS, EACCES from a write name no file: say which one could not be written.
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code === 'string') {
      const why = e.code === 'ENOSPC' ? 'no space left on the device' : e.code === 'EROFS' ? 'read-only file system' : e.message;
      throw Object.assign(new Error(`cannot write ${file}: ${why}`), { code: e.code });
    }
    throw err;
  }
  fsyncDir(path.dirname(file));
}

/** fsync a directory, so the names in it (a rename) survive a power loss. */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // not openable as a file here (e.g. Windows): nothing more we can do
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    // Some file systems refuse fsync on a directory (EINVAL); the data itself was synced.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether temp file `name` (in a folder read just now) is a dead writer's: older than TEMP_MAX_AGE_MS,
 * or named by a dead process of this host and PID namespace. Temp names of other writers (older bnlab
 * versions, the data cache's temp directories) go by age alone.
 */
export function isDeadTemp(name: string, mtimeMs: number, now = Date.now()): boolean {
  if (!name.includes('.tmp-')) return false;
  if (now - mtimeMs > TEMP_MAX_AGE_MS) return true;
  const m = TEMP.exec(name);
  return m !== null && m[1] === host && m[2] === ns && !processAlive(Number(m[3]));
}

/** Removes the temp files (and temp directories) dead writers left in `dir`; returns how many. */
export function sweepTempFiles(dir: string, now = Date.now()): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.includes('.tmp-')) continue;
    const file = path.join(dir, name);
    try {
      if (!isDeadTemp(name, statSync(file).mtimeMs, now)) continue;
    } catch {
      continue; // renamed in between
    }
    rmSync(file, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
