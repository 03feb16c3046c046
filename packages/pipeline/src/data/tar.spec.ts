import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTar, extractTar, safeEntryPath } from './tar.js';

let dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'bnlab-tar-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** Splits bytes into chunks of odd sizes, so headers and data straddle chunk boundaries. */
async function* chunks(bytes: Uint8Array, size = 333): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('extractTar', () => {
  it('extracts regular files byte for byte, in nested directories, across chunk boundaries', async () => {
    const big = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 256);
    const tar = buildTar([
      { name: 'top/a.bin', data: big },
      { name: 'top/sub/empty.txt', data: new Uint8Array(0) },
      { name: 'top/b.txt', data: Buffer.from('hello\n') },
    ]);
    const dest = tmp();
    expect(await extractTar(chunks(tar), dest)).toEqual(['top/a.bin', 'top/sub/empty.txt', 'top/b.txt']);
    expect(Buffer.compare(readFileSync(path.join(dest, 'top/a.bin')), Buffer.from(big))).toBe(0);
    expect(readFileSync(path.join(dest, 'top/sub/empty.txt')).length).toBe(0);
    expect(readFileSync(path.join(dest, 'top/b.txt'), 'utf8')).toBe('hello\n');
  });

  it('rejects path traversal and absolute names before writing anything', async () => {
    for (const name of ['../evil', 'a/../../evil', '/etc/evil']) {
      const dest = tmp();
      const tar = buildTar([{ name, data: Buffer.from('x') }]);
      await expect(extractTar(chunks(tar), dest)).rejects.toThrow(`unsafe path '${name}'`);
      expect(readdirSync(dest)).toEqual([]);
    }
    expect(safeEntryPath('./a//b/')).toBe('a/b');
  });

  it('rejects a corrupt header checksum and a truncated archive', async () => {
    const tar = buildTar([{ name: 'f.bin', data: new Uint8Array(1000).fill(1) }]);
    const bad = Uint8Array.from(tar);
    bad[10] ^= 1;
    await expect(extractTar(chunks(bad), tmp())).rejects.toThrow("bad header checksum for 'f.bin'");
    await expect(extractTar(chunks(tar.subarray(0, 900)), tmp())).rejects.toThrow("truncated inside 'f.bin'");
    await expect(extractTar(chunks(tar.subarray(0, 1536)), tmp())).rejects.toThrow('end-of-archive');
  });
});
