import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveAllProfiles } from '../config/load.js';
import { dataStampLines } from './data-stamp.js';

describe('dataStampLines', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'bnlab-stamp-'));
  const dir = path.join(root, 'cifar');
  const studies = Object.values(resolveAllProfiles('version: 1\nprofiles:\n  smoke: {}\n', 'x.yaml', {}));

  it('says absent when the source directory is missing', () => {
    expect(dataStampLines(studies, root, { BNLAB_CIFAR10_DIR: dir })).toEqual([`cifar10 ${dir}: absent`]);
  });

  it('lists names, sizes and mtimes once per source, and changes when a file does', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'b.bin'), 'xyz');
    writeFileSync(path.join(dir, 'a.bin'), 'x');
    utimesSync(path.join(dir, 'a.bin'), 1000, 1000);
    utimesSync(path.join(dir, 'b.bin'), 2000, 2000);
    const before = dataStampLines(studies, root, { BNLAB_CIFAR10_DIR: dir });
    expect(before).toEqual([`cifar10 ${dir}: a.bin 1 1000000, b.bin 3 2000000`]);
    utimesSync(path.join(dir, 'b.bin'), 2000, 2001);
    expect(dataStampLines(studies, root, { BNLAB_CIFAR10_DIR: dir })).not.toEqual(before);
  });

  it('follows data.dir relative to the workspace root', () => {
    const s = Object.values(resolveAllProfiles('version: 1\ndata: { dir: cifar }\n', 'x.yaml', {}));
    expect(dataStampLines(s, root, {})[0]).toMatch(new RegExp(`^cifar10 ${dir}: a\\.bin 1 `));
  });
});
