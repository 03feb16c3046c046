import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TrainResult } from '@bnlab/report';
import { canonicalJson } from '../util/canonical-json.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { TrialIdentity, TrialRecord } from './executor.js';
import { trialHash } from './identity.js';
import { listRecords, readRecord, recordPath, sealRecord, writeRecord } from './store.js';
import { HEARTBEAT_MS, lockHolder, lockPath, STALE_MS, tryLock, unlock } from './lock.js';

const fp = 'a'.repeat(64);
const identity = (lambda: number): TrialIdentity => ({
  config: { hidden: [5], batchNorm: true, lambda, seed: 1 },
  preparation: 'main',
  dataFingerprint: fp,
  engine: 'bnlab-engine/1+ts-f64',
});
const result: TrainResult = {
  accuracy: { train: 0.5, validation: 0.25, test: 0.125 },
  cost: { train: 1.5, validation: 2, test: 2.5 },
  loss: { train: 1.25, validation: 1.75, test: 2.25 },
  history: [{ update: 10, epoch: 1, eta: 0.01, cost: { train: 1.5, validation: 2 }, loss: { train: 1.25, validation: 1.75 }, accuracy: { train: 0.5, validation: 0.25 } }],
  diverged: false,
};
const record = (lambda: number): TrialRecord => {
  const id = identity(lambda);
  return { hash: trialHash(id), identity: id, result, meta: { computeSeconds: 1.5, host: 'h', finishedAt: '2026-01-01T00:00:00.000Z', worker: 'local#1' } };
};

let dir: string;
let warnings: string[];
const warn = (m: string) => warnings.push(m);
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bnlab-store-'));
  warnings = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('trial store', () => {
  it('writes canonical JSON under <hash[0:2]>/<hash>.json and reads it back', () => {
    const r = record(1e-3);
    writeRecord(dir, r);
    const file = recordPath(dir, r.hash);
    expect(path.relative(dir, file)).toBe(path.join(r.hash.slice(0, 2), `${r.hash}.json`));
    expect(readFileSync(file, 'utf8')).toBe(`${canonicalJson(sealRecord(r))}\n`);
    expect(readRecord(dir, r.hash, warn)).toEqual(sealRecord(r));
    expect(listRecords(dir)).toEqual([r.hash]);
    expect(warnings).toEqual([]);
  });

  it('returns undefined for a missing record without warning', () => {
    expect(readRecord(dir, record(1).hash, warn)).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it.each([
    ['truncated', (t: string) => t.slice(0, t.length / 2), 'not JSON'],
    ['edited identity', (t: string) => t.replace('"lambda":0.001', '"lambda":0.002'), 'identity hashes to'],
    ['wrong shape', (t: string) => t.replace('"diverged":false', '"diverged":"no"'), '/result/diverged'],
    ['accuracy out of range', (t: string) => t.replace('"validation":0.25}', '"validation":7}'), 'must be <= 1'],
    // Issue 17: one digit of the validation accuracy changed still passes schema, hash and identity.
    ['flipped digit', (t: string) => t.replace('"validation":0.25}', '"validation":0.35}'), 'not its checksum'],
    ['flipped digit in meta', (t: string) => t.replace('"computeSeconds":1.5', '"computeSeconds":2.5'), 'not its checksum'],
  ])('reports, deletes and forgets a %s record', (_name, corrupt, reason) => {
    const r = record(1e-3);
    writeRecord(dir, r);
    const file = recordPath(dir, r.hash);
    const text = readFileSync(file, 'utf8');
    const bad = corrupt(text);
    expect(bad).not.toBe(text);
    writeFileSync(file, bad);
    expect(readRecord(dir, r.hash, warn)).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(r.hash);
    expect(warnings[0]).toContain(reason);
  });

  it('rejects a record stored under another trial\'s name', () => {
    const a = record(1e-3);
    const b = record(2e-3);
    writeRecord(dir, a);
    writeFileAtomic(recordPath(dir, b.hash), readFileSync(recordPath(dir, a.hash)));
    expect(readRecord(dir, b.hash, warn)).toBeUndefined();
    expect(warnings[0]).toContain('is not its file name');
    expect(readRecord(dir, a.hash, warn)).toEqual(sealRecord(a));
  });

  it('checksums the canonical content independently of the store', () => {
    const r = record(1e-3);
    const { checksum, ...rest } = sealRecord(r);
    expect(checksum).toBe(createHash('sha256').update(canonicalJson(rest)).digest('hex'));
    expect(sealRecord({ ...r, result: { ...r.result, diverged: true } }).checksum).not.toBe(checksum);
  });

  it('accepts a legacy record without a checksum when every other check passes, and a run seals it', () => {
    const r = record(1e-3);
    const file = recordPath(dir, r.hash);
    writeFileAtomic(file, `${canonicalJson(r)}\n`); // as written before checksums
    expect(readRecord(dir, r.hash, warn, false)).toEqual(sealRecord(r));
    expect(readFileSync(file, 'utf8')).toBe(`${canonicalJson(r)}\n`); // plan only looks
    expect(readRecord(dir, r.hash, warn)).toEqual(sealRecord(r));
    expect(readFileSync(file, 'utf8')).toBe(`${canonicalJson(sealRecord(r))}\n`);
    expect(warnings).toEqual([]);
    // The identity hashing is untouched: the sealed record keeps its hash.
    expect(trialHash(sealRecord(r).identity)).toBe(r.hash);
  });

  it('rejects a legacy record that fails another check', () => {
    const r = record(1e-3);
    const file = recordPath(dir, r.hash);
    writeFileAtomic(file, `${canonicalJson(r).replace('"lambda":0.001', '"lambda":0.002')}\n`);
    expect(readRecord(dir, r.hash, warn)).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    expect(warnings[0]).toContain('identity hashes to');
  });

  it('refuses to write an invalid record', () => {
    const r = record(1e-3);
    expect(() => writeRecord(dir, { ...r, hash: record(2).hash })).toThrow('refusing to store');
    expect(listRecords(dir)).toEqual([]);
  });
});

describe('trial locks', () => {
  const h = record(1).hash;
  const ns = readlinkSync('/proc/self/ns/pid');
  afterEach(() => {
    unlock(dir, h);
    vi.useRealTimers();
  });
  const age = (file: string, ms: number) => {
    const t = new Date(Date.now() - ms);
    utimesSync(file, t, t);
  };

  it('lets one holder in at a time', () => {
    expect(tryLock(dir, h)).toBe(true);
    expect(readFileSync(lockPath(dir, h), 'utf8')).toMatch(new RegExp(`^${process.pid} ${hostname()} ${ns.replace(/[[\]]/g, '\\$&')} [0-9a-f]{16}\n$`));
    expect(tryLock(dir, h)).toBe(false);
    expect(lockHolder(lockPath(dir, h))).toBe(`pid ${process.pid} on ${hostname()}`);
    unlock(dir, h);
    expect(tryLock(dir, h)).toBe(true);
  });

  it("breaks a dead process's lock at once", () => {
    // pid 2^22 + 1 is above Linux's pid_max default range for live processes here.
    const dead = 4_194_305;
    expect(() => process.kill(dead, 0)).toThrow();
    writeFileAtomic(lockPath(dir, h), `${dead} ${hostname()} ${ns} t\n`);
    expect(lockHolder(lockPath(dir, h))).toBeUndefined();
    expect(tryLock(dir, h)).toBe(true);
  });

  // Issue 17: a run SIGKILLed as PID 1 of a container left locks naming pid 1, alive for ever.
  it.each([
    ['pid 1 of another PID namespace', `1 ${hostname()} pid:[4026532999] t\n`],
    ['a live (reused) pid of this namespace', `${process.pid} ${hostname()} ${ns} another-run\n`],
    ['a lock of the old format (no namespace)', `1 ${hostname()}\n`],
    ['another host', '1 elsewhere.example\n'],
  ])('holds a lock of %s while its heartbeat is fresh, breaks it once stale', (_name, text) => {
    const file = lockPath(dir, h);
    writeFileAtomic(file, text);
    age(file, STALE_MS - 5_000);
    expect(lockHolder(file)).toMatch(/^pid \d+ on /);
    expect(tryLock(dir, h)).toBe(false);
    age(file, STALE_MS + 1_000);
    expect(lockHolder(file)).toBeUndefined();
    expect(tryLock(dir, h)).toBe(true);
  });

  it('refreshes the mtime of the locks it holds every heartbeat', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    expect(tryLock(dir, h)).toBe(true);
    const file = lockPath(dir, h);
    age(file, STALE_MS + 1_000);
    expect(lockHolder(file)).toBeUndefined(); // what a stopped holder would look like
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(Date.now() - statSync(file).mtimeMs).toBeLessThan(2_000);
    expect(lockHolder(file)).toBe(`pid ${process.pid} on ${hostname()}`);
  });

  it("never removes or refreshes a lock another run took over", () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    expect(tryLock(dir, h)).toBe(true);
    const file = lockPath(dir, h);
    writeFileAtomic(file, `1 ${hostname()} pid:[4026532999] theirs\n`);
    age(file, 10_000);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(Date.now() - statSync(file).mtimeMs).toBeGreaterThan(9_000);
    unlock(dir, h);
    expect(readFileSync(file, 'utf8')).toBe(`1 ${hostname()} pid:[4026532999] theirs\n`);
  });
});
