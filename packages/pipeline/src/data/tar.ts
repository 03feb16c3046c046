// A small ustar reader: extracts the regular files of a tar stream (already gunzipped) under a
// directory. Directories are created as needed; links, devices and pax/GNU extension records are
// skipped. A name that is absolute or climbs out with '..' is rejected before anything is written.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

const BLOCK = 512;

/** Pulls exact byte counts out of an async stream of chunks. */
function reader(chunks: AsyncIterable<Uint8Array>) {
  const it = chunks[Symbol.asyncIterator]();
  let buf: Uint8Array = new Uint8Array(0);
  let done = false;
  const fill = async (): Promise<boolean> => {
    if (done) return false;
    const r = await it.next();
    if (r.done) {
      done = true;
      return false;
    }
    buf = buf.length === 0 ? r.value : concat(buf, r.value);
    return true;
  };
  return {
    /** Exactly n bytes, or fewer only at the end of the stream. */
    async read(n: number): Promise<Uint8Array> {
      while (buf.length < n && (await fill()));
      const out = buf.subarray(0, Math.min(n, buf.length));
      buf = buf.subarray(out.length);
      return out;
    },
    /** Up to max bytes (at least 1 unless the stream ended). */
    async some(max: number): Promise<Uint8Array> {
      if (buf.length === 0) await fill();
      const out = buf.subarray(0, Math.min(max, buf.length));
      buf = buf.subarray(out.length);
      return out;
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}

function text(block: Uint8Array, at: number, len: number): string {
  const field = block.subarray(at, at + len);
  const end = field.indexOf(0);
  return Buffer.from(end < 0 ? field : field.subarray(0, end)).toString('utf8');
}

function octal(block: Uint8Array, at: number, len: number, what: string): number {
  if (block[at] & 0x80) throw new Error(`tar: ${what} uses base-256 encoding, which this reader does not support`);
  const s = text(block, at, len).trim();
  if (!/^[0-7]*$/.test(s)) throw new Error(`tar: ${what} '${s}' is not an octal number`);
  return s === '' ? 0 : parseInt(s, 8);
}

/** The entry name as a safe relative path, or an error for anything that could escape `dest`. */
export function safeEntryPath(name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\') || parts.includes('..') || parts.length === 0) {
    throw new Error(`tar: unsafe path '${name}' in archive (absolute or outside the target directory)`);
  }
  return parts.join('/');
}

/** Extracts the regular files of the tar stream into dest; returns their relative paths. */
export async function extractTar(chunks: AsyncIterable<Uint8Array>, dest: string): Promise<string[]> {
  const r = reader(chunks);
  const written: string[] = [];
  for (;;) {
    const header = await r.read(BLOCK);
    if (header.length === 0) throw new Error('tar: archive ends without its end-of-archive blocks (truncated)');
    if (header.length < BLOCK) throw new Error('tar: archive is truncated inside a header');
    if (header.every((b) => b === 0)) return written;
    const name = text(header, 0, 100);
    const stored = octal(header, 148, 8, `checksum of '${name}'`);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
    if (sum !== stored) throw new Error(`tar: bad header checksum for '${name}' (not a tar archive, or corrupt)`);
    const magic = text(header, 257, 6);
    const prefix = magic.startsWith('ustar') ? text(header, 345, 155) : '';
    const fullName = prefix ? `${prefix}/${name}` : name;
    const size = octal(header, 124, 12, `size of '${fullName}'`);
    const type = String.fromCharCode(header[156] || 48); // '\0' is an old-style regular file
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === '0' || type === '7') {
      const rel = safeEntryPath(fullName);
      const target = path.join(dest, rel);
      mkdirSync(path.dirname(target), { recursive: true });
      const fd = openSync(target, 'wx');
      try {
        let left = size;
        while (left > 0) {
          const piece = await r.some(Math.min(left, 1 << 20));
          if (piece.length === 0) throw new Error(`tar: archive is truncated inside '${fullName}'`);
          writeSync(fd, piece);
          left -= piece.length;
        }
      } finally {
        closeSync(fd);
      }
      written.push(rel);
      if ((await r.read(padded - size)).length !== padded - size) throw new Error(`tar: archive is truncated after '${fullName}'`);
    } else {
      if (type === '5') safeEntryPath(fullName);
      if ((await r.read(padded)).length !== padded) throw new Error(`tar: archive is truncated inside '${fullName}'`);
    }
  }
}

/** Builds a ustar archive of regular files (for tests and fixtures; names up to 100 bytes). */
export function buildTar(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const f of files) {
    const h = new Uint8Array(BLOCK);
    const put = (at: number, s: string) => h.set(Buffer.from(s, 'utf8'), at);
    if (Buffer.byteLength(f.name) > 100) throw new Error(`buildTar: name '${f.name}' is longer than 100 bytes`);
    put(0, f.name);
    put(100, '0000644\0');
    put(108, '0000000\0');
    put(116, '0000000\0');
    put(124, `${f.data.length.toString(8).padStart(11, '0')}\0`);
    put(136, '00000000000\0');
    put(156, '0');
    put(257, 'ustar\0');
    put(263, '00');
    h.fill(32, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(h, f.data, new Uint8Array((BLOCK - (f.data.length % BLOCK)) % BLOCK));
  }
  blocks.push(new Uint8Array(2 * BLOCK));
  return Buffer.concat(blocks);
}
