import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execaSync } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDeadTemp, sweepTempFiles, TEMP_MAX_AGE_MS, writeFileAtomic } from './atomic-write.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bnlab-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ns = /\d+/.exec(readlinkSync('/proc/self/ns/pid'))?.[0] ?? '0';
const dead = 4_194_305; // above pid_max's default range: no live process
const old = (file: string) => {
  const t = new Date(Date.now() - TEMP_MAX_AGE_MS - 1000);
  utimesSync(file, t, t);
};

describe('writeFileAtomic', () => {
  it('writes the bytes and leaves no temp file', () => {
    const file = path.join(dir, 'a', 'b.json');
    writeFileAtomic(file, 'x'.repeat(100_000));
    writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(file)]).toEqual([1, 2, 3]);
    expect(readdirSync(path.dirname(file))).toEqual(['b.json']);
  });

  const strace = (() => {
    try {
      return execaSync('strace', ['-V']).exitCode === 0;
    } catch {
      return false;
    }
  })();
  it.skipIf(!strace)('fsyncs the temp file before the rename and the directory after it (strace)', () => {
    const dist = fileURLToPath(new URL('../../dist/util/atomic-write.js', import.meta.url));
    const file = path.join(dir, 'r.json');
    const r = execaSync('strace', ['-f', '-e', 'trace=openat,fsync,rename', process.execPath, '-e',
      `import(${JSON.stringify(dist)}).then((m) => m.writeFileAtomic(${JSON.stringify(file)}, 'hi'))`], { reject: false });
    const all = r.stderr.split('\n').map((l) => l.replace(/^\[pid +\d+\] /, ''));
    const rest = all.slice(all.findIndex((l) => l.startsWith('openat') && l.includes('.tmp-')));
    const fdTmp = /= (\d+)$/.exec(rest[0])![1];
    const syncTmp = rest.findIndex((l) => l.startsWith(`fsync(${fdTmp})`));
    const rename = rest.findIndex((l) => l.startsWith('rename(') && l.includes(file));
    const dirOpen = rest.findIndex((l, k) => k > rename && l.startsWith('openat') && l.includes(`"${dir}"`));
    const fdDir = /= (\d+)$/.exec(rest[dirOpen])![1];
    const syncDir = rest.findIndex((l, k) => k > dirOpen && l.startsWith(`fsync(${fdDir})`));
    expect(syncTmp).toBeGreaterThan(0);
    expect(rename).toBeGreaterThan(syncTmp);
    expect(dirOpen).toBeGreaterThan(rename);
    expect(syncDir).toBeGreaterThan(dirOpen);
  });
});

describe('sweepTempFiles', () => {
  it("removes a dead writer's temp files and a killed data-cache temp directory, keeps live and fresh ones and everything else", () => {
    const names = {
      deadPid: `a.json.tmp-${hostname()}-${ns}-${dead}-abc`,
      livePid: `b.json.tmp-${hostname()}-${ns}-${process.pid}-abc`,
      otherNamespace: `c.json.tmp-${hostname()}-1-${dead}-abc`, // a pid of another namespace means nothing here
      legacyFresh: `d.json.tmp-${dead}-abc`,
      legacyOld: `e.json.tmp-${dead}-abc`,
      record: 'f.json',
    };
    for (const n of Object.values(names)) writeFileSync(path.join(dir, n), '{');
    old(path.join(dir, names.legacyOld));
    mkdirSync(path.join(dir, '.0123456789abcdef.tmp-Ab12Cd'));
    writeFileSync(path.join(dir, '.0123456789abcdef.tmp-Ab12Cd', 'data.bin'), 'x');
    old(path.join(dir, '.0123456789abcdef.tmp-Ab12Cd'));
    expect(sweepTempFiles(dir)).toBe(3);
    expect(readdirSync(dir).sort()).toEqual([names.livePid, names.otherNamespace, names.legacyFresh, names.record].sort());
    // Once old enough, any temp file is a dead writer's, whoever it names.
    expect(isDeadTemp(names.otherNamespace, Date.now() - TEMP_MAX_AGE_MS - 1)).toBe(true);
    expect(isDeadTemp(names.record, 0)).toBe(false);
    expect(existsSync(path.join(dir, names.record))).toBe(true);
  });
});
