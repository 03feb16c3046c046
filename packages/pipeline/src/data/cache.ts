// The binary cache of prepared data: <cacheDir>/<key>/header.json + data.bin, where data.bin is the
// prepared SharedArrayBuffer byte for byte (layout.ts) and key = sha256 of canonical JSON of the data
// set, its source files' sha256 and sizes, the preparation settings and the format version. An entry is
// written to a temp directory and renamed, so it is complete or absent. Loading checks the header, the
// file size and the fingerprint (a re-hash of the loaded bytes): an entry that fails is never trusted.
import { createHash } from 'node:crypto';
import {
  chmodSync, closeSync, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, realpathSync,
  renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { hashOf } from '../util/canonical-json.js';
import { sweepTempFiles, writeFileAtomic } from '../util/atomic-write.js';
import { byteLength, fingerprintOf, viewsOf, DATASET_NAMES, type PreparedHeader } from './layout.js';

/** Bump when the layout, the header or the preparation arithmetic changes: old entries become misses. */
export const CACHE_FORMAT = 'bnlab-prepared/2';

export interface SourceFile {
  name: string;
  size: number;
  sha256: string;
}

export interface CacheHeader extends PreparedHeader {
  format: string;
  key: string;
  bytes: number;
  sources: SourceFile[];
  settings: Record<string, unknown>;
}

export function cacheKey(dataset: string, sources: SourceFile[], settings: Record<string, unknown>): string {
  return hashOf({ format: CACHE_FORMAT, dataset, sources, settings });
}

/**
 * sha256 and size of each source file. Hashes are remembered in <cacheDir>/sources.json by real path,
 * size and mtime, so the full CIFAR-10 (180 MB) is hashed once, not on every run.
 */
export async function hashSources(files: string[], cacheDir: string | null): Promise<SourceFile[]> {
  const memoFile = cacheDir ? path.join(cacheDir, 'sources.json') : null;
  let memo: Record<string, { size: number; mtimeMs: number; sha256: string }> = {};
  if (memoFile && existsSync(memoFile)) {
    try {
      memo = JSON.parse(readFileSync(memoFile, 'utf8'));
    } catch {
      memo = {}; // a damaged memo only costs a re-hash; it is rewritten below
    }
  }
  let changed = false;
  const out: SourceFile[] = [];
  for (const f of files) {
    const real = realpathSync(f);
    const st = statSync(real);
    const known = memo[real];
    let sha256: string;
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs && typeof known.sha256 === 'string') sha256 = known.sha256;
    else {
      sha256 = await sha256File(real);
      memo[real] = { size: st.size, mtimeMs: st.mtimeMs, sha256 };
      changed = true;
    }
    out.push({ name: path.basename(f), size: st.size, sha256 });
  }
  if (memoFile && changed) writeFileAtomic(memoFile, `${JSON.stringify(memo, null, 1)}\n`);
  return out;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Why an entry cannot be used, or null when it is absent. Thrown by loadEntry. */
export class CorruptEntry extends Error {}

/** Loads and verifies an entry; null when absent, CorruptEntry when present but not trustworthy. */
export function loadEntry(cacheDir: string, key: string): { header: CacheHeader; buffer: SharedArrayBuffer } | null {
  const dir = path.join(cacheDir, key);
  if (!existsSync(dir)) return null;
  const headerFile = path.join(dir, 'header.json');
  const dataFile = path.join(dir, 'data.bin');
  let header: CacheHeader;
  try {
    header = JSON.parse(readFileSync(headerFile, 'utf8'));
  } catch (err) {
    throw new CorruptEntry(`${headerFile} is unreadable (${(err as Error).message})`);
  }
  const problem = headerProblem(header, key);
  if (problem) throw new CorruptEntry(`${headerFile}: ${problem}`);
  const size = existsSync(dataFile) ? statSync(dataFile).size : -1;
  if (size !== header.bytes) throw new CorruptEntry(`${dataFile} is ${size < 0 ? 'missing' : `${size} bytes`}, the header says ${header.bytes}`);
  const buffer = new SharedArrayBuffer(size);
  readInto(dataFile, new Uint8Array(buffer));
  const fingerprint = fingerprintOf(header, viewsOf(buffer, header.d, header.splits));
  if (fingerprint !== header.fingerprint) throw new CorruptEntry(`${dataFile} does not match its fingerprint (corrupt)`);
  return { header, buffer };
}

function headerProblem(h: CacheHeader, key: string): string | null {
  if (typeof h !== 'object' || h === null) return 'not a JSON object';
  if (h.format !== CACHE_FORMAT) return `format ${JSON.stringify(h.format)}, expected ${CACHE_FORMAT}`;
  if (h.key !== key) return `key ${JSON.stringify(h.key)} does not match its directory`;
  if (!DATASET_NAMES.includes(h.dataset)) return `unknown dataset ${JSON.stringify(h.dataset)}`;
  const counts = [h.d, h.K, h.splits?.train, h.splits?.validation, h.splits?.test];
  if (!counts.every((c) => Number.isInteger(c) && c >= 0) || h.d < 1 || h.K < 1) return 'bad shapes';
  if (!Array.isArray(h.classes) || h.classes.length !== h.K || !h.classes.every((c) => typeof c === 'string')) return 'bad classes';
  if (typeof h.fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(h.fingerprint)) return 'bad fingerprint';
  if (h.bytes !== byteLength(h.d, h.splits)) return `bytes ${h.bytes} do not match the shapes (${byteLength(h.d, h.splits)})`;
  return null;
}

function readInto(file: string, out: Uint8Array): void {
  const fd = openSync(file, 'r');
  try {
    let at = 0;
    while (at < out.length) {
      const n = readSync(fd, out, at, Math.min(out.length - at, 1 << 26), at);
      if (n === 0) throw new CorruptEntry(`${file} ended after ${at} of ${out.length} bytes`);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes an entry atomically (temp directory renamed into place); a concurrent writer's entry wins. */
export function writeEntry(cacheDir: string, header: CacheHeader, buffer: SharedArrayBuffer): void {
  mkdirSync(cacheDir, { recursive: true });
  sweepTempFiles(cacheDir); // a killed writer's temp directory
  const tmp = mkdtempSync(path.join(cacheDir, `.${header.key.slice(0, 16)}.tmp-`));
  try {
    chmodSync(tmp, 0o755); // mkdtemp makes it private; the entry is an ordinary directory
    writeFileSync(path.join(tmp, 'data.bin'), new Uint8Array(buffer));
    writeFileSync(path.join(tmp, 'header.json'), `${JSON.stringify(header, null, 2)}\n`);
    const dir = path.join(cacheDir, header.key);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      if (!existsSync(dir)) throw err; // otherwise another process wrote the same entry first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function deleteEntry(cacheDir: string, key: string): void {
  rmSync(path.join(cacheDir, key), { recursive: true, force: true });
}
