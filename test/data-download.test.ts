// The CIFAR-10 download path against a local HTTP server on 127.0.0.1 serving a small tar.gz built
// here: a good checksum puts the files in place; a bad checksum, a 404 or no server at all gives an
// error saying where to put the files, and leaves nothing behind.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDataset } from '../packages/pipeline/src/data/index.js';
import { cifar10Files } from '../packages/pipeline/src/data/fixtures.js';
import { buildTar } from '../packages/pipeline/src/data/tar.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bnlab = path.join(repo, 'packages/pipeline/bin/bnlab.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'bnlab-download-'));
const files = cifar10Files(6, 4);
const archive = gzipSync(buildTar(files.map((f) => ({ name: `cifar-10-batches-bin/${f.name}`, data: f.data }))));
const md5 = createHash('md5').update(archive).digest('hex');
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/cifar-10-binary.tar.gz') {
      res.writeHead(200, { 'content-length': archive.length, 'content-type': 'application/gzip' });
      res.end(archive);
    } else if (req.url === '/moved') {
      res.writeHead(302, { location: '/cifar-10-binary.tar.gz' });
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

function workspace(name: string): string {
  const ws = path.join(tmp, name);
  mkdirSync(ws);
  return ws;
}

describe('CIFAR-10 download', () => {
  it('good checksum: downloads, checks, extracts into <workspace>/data/cifar-10-batches-bin, then prepares', async () => {
    const ws = workspace('good');
    const log: string[] = [];
    const progress: [number, number][] = [];
    const p = await prepareDataset({
      dataset: 'cifar10', validation: 6, workspaceRoot: ws, cacheDir: null,
      env: { BNLAB_CIFAR10_URL: `${base}/moved`, BNLAB_CIFAR10_MD5: md5.toUpperCase() },
      log: (l) => log.push(l), onDownloadProgress: (r, t) => progress.push([r, t]),
    });
    const dir = path.join(ws, 'data', 'cifar-10-batches-bin');
    expect(log).toEqual([`CIFAR-10 is not in ${dir}; downloading ${base}/moved`]);
    expect(progress.at(-1)).toEqual([archive.length, archive.length]);
    for (const f of files) expect(Buffer.compare(readFileSync(path.join(dir, f.name)), Buffer.from(f.data)), f.name).toBe(0);
    expect(readdirSync(path.join(ws, 'data'))).toEqual(['cifar-10-batches-bin']); // no temp files left
    expect(p.splits).toEqual({ train: 24, validation: 6, test: 4 });
    expect(p.source).toBe(dir);
  });

  it.each([
    ['a bad checksum', () => `${base}/cifar-10-binary.tar.gz`, '0'.repeat(32), `has md5 ${md5}, expected ${'0'.repeat(32)}; nothing was kept`],
    ['a 404', () => `${base}/nothing-here.tar.gz`, md5, 'cannot download'],
    ['no server (offline)', () => 'http://127.0.0.1:9/cifar-10-binary.tar.gz', md5, 'cannot download'],
  ])('%s: an error saying where to put the files, and nothing left behind', async (name, url, sum, message) => {
    const ws = workspace(name.replace(/\W/g, ''));
    const dir = path.join(ws, 'data', 'cifar-10-batches-bin');
    const err = await prepareDataset({
      dataset: 'cifar10', workspaceRoot: ws, cacheDir: null, env: { BNLAB_CIFAR10_URL: url(), BNLAB_CIFAR10_MD5: sum },
    }).then(() => null, (e: Error) => e);
    expect(err?.message).toContain(message);
    expect(err?.message).toContain(`put the CIFAR-10 binary files (data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin, batches.meta.txt) from https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz in ${dir}`);
    expect(existsSync(dir)).toBe(false);
    // data/ did not exist before: the failed download removes the directories it created.
    expect(readdirSync(ws)).toEqual([]);
  });

  it('through the CLI: progress on stderr, JSON alone on stdout', async () => {
    const ws = workspace('cli');
    const r = await execa('node', [bnlab, 'data', '--json', '--validation', '0.25'], {
      cwd: ws, env: { BNLAB_CIFAR10_URL: `${base}/cifar-10-binary.tar.gz`, BNLAB_CIFAR10_MD5: md5, BNLAB_CIFAR10_DIR: '' },
    });
    expect(JSON.parse(r.stdout).splits).toEqual({ train: 22, validation: 8, test: 4 });
    expect(r.stderr).toContain('downloading');
    expect(r.stderr).toContain('100%');
    expect(existsSync(path.join(ws, 'data', 'cifar-10-batches-bin', 'test_batch.bin'))).toBe(true);
  });

  it('bnlab run data: one bnlab: prefix per line, downloading or failing to', async () => {
    const ws = workspace('run');
    copyFileSync(path.join(repo, 'experiments.yaml'), path.join(ws, 'experiments.yaml'));
    const run = (url: string) => execa('node', [bnlab, 'run', 'data'], {
      cwd: ws, reject: false,
      env: { BNLAB_WORKSPACE: ws, BNLAB_CIFAR10_URL: url, BNLAB_CIFAR10_MD5: md5, BNLAB_CIFAR10_DIR: '', NX_TASK_TARGET_CONFIGURATION: '' },
    });
    const dir = path.join(ws, 'data', 'cifar-10-batches-bin');
    const offline = await run('http://127.0.0.1:9/cifar-10-binary.tar.gz');
    expect(offline.exitCode).toBe(1);
    expect(offline.stderr).not.toContain('bnlab: bnlab:');
    expect(offline.stderr).toContain(`bnlab: CIFAR-10 is not in ${dir}; downloading http://127.0.0.1:9/cifar-10-binary.tar.gz`);
    expect(offline.stderr.trim().split('\n').at(-1)).toMatch(/^bnlab: CIFAR-10: cannot download http:\/\/127\.0\.0\.1:9\/cifar-10-binary\.tar\.gz/);
    const online = await run(`${base}/cifar-10-binary.tar.gz`);
    expect(online.exitCode, online.stderr).toBe(0);
    expect(online.stderr).not.toContain('bnlab: bnlab:');
    expect(online.stderr).toContain(`bnlab: CIFAR-10 is not in ${dir}; downloading`);
  });
});
