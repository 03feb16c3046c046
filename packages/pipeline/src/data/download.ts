// Fetches cifar-10-binary.tar.gz when CIFAR-10 is absent: streamed to a temp file beside the target
// while its md5 is computed, checked, then extracted (zlib gunzip + our ustar reader) into a temp
// directory and renamed into place. Any failure removes every temp file: the target is complete or absent.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BnlabError } from '../errors.js';
import { CIFAR10_DIR_NAME, CIFAR10_FILES, CIFAR10_MD5, CIFAR10_URL, whereToPutCifar10 } from './cifar10.js';
import { extractTar } from './tar.js';

export interface DownloadOptions {
  url: string;
  md5: string;
  /** Bytes received so far and the announced total (0 when unknown). */
  onProgress?: (received: number, total: number) => void;
}

/** URL and md5 of the archive, overridable by env BNLAB_CIFAR10_URL / BNLAB_CIFAR10_MD5 (mirrors, tests). */
export function cifar10Source(env: Record<string, string | undefined>): { url: string; md5: string } {
  return { url: env.BNLAB_CIFAR10_URL || CIFAR10_URL, md5: (env.BNLAB_CIFAR10_MD5 || CIFAR10_MD5).toLowerCase() };
}

/** Downloads and extracts CIFAR-10 so that `target` holds the official files. */
export async function downloadCifar10(target: string, opts: DownloadOptions): Promise<void> {
  const parent = path.dirname(target);
  // The first directory this call creates, if any: removed again when the download fails.
  const created = mkdirSync(parent, { recursive: true });
  const work = mkdtempSync(path.join(parent, `.${path.basename(target)}.download-`));
  let done = false;
  try {
    const archive = path.join(work, 'cifar-10-binary.tar.gz');
    let md5: string;
    try {
      md5 = await fetchTo(opts.url, archive, opts.onProgress);
    } catch (err) {
      throw new BnlabError(`CIFAR-10: cannot download ${opts.url} (${(err as Error).message}); ${whereToPutCifar10(target)}`);
    }
    if (md5 !== opts.md5) {
      throw new BnlabError(`CIFAR-10: ${opts.url} has md5 ${md5}, expected ${opts.md5}; nothing was kept; ${whereToPutCifar10(target)}`);
    }
    const out = path.join(work, 'extract');
    try {
      await extractTar(createReadStream(archive).pipe(createGunzip()), out);
    } catch (err) {
      throw new BnlabError(`CIFAR-10: cannot extract ${opts.url} (${(err as Error).message}); ${whereToPutCifar10(target)}`);
    }
    const extracted = path.join(out, CIFAR10_DIR_NAME);
    const missing = CIFAR10_FILES.filter((f) => !existsSync(path.join(extracted, f)));
    if (missing.length > 0) {
      throw new BnlabError(`CIFAR-10: the archive from ${opts.url} lacks ${CIFAR10_DIR_NAME}/${missing.join(', ')}; ${whereToPutCifar10(target)}`);
    }
    // An empty directory at the target would make rename fail; rmdir refuses a non-empty one.
    if (existsSync(target)) rmdirSync(target);
    renameSync(extracted, target);
    done = true;
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (!done && created !== undefined) rmSync(created, { recursive: true, force: true });
  }
}

/** Streams url to file, returning the md5 of the bytes. Follows up to 5 redirects. */
async function fetchTo(url: string, file: string, onProgress?: (received: number, total: number) => void): Promise<string> {
  const res = await request(url, 5);
  const total = Number(res.headers['content-length'] ?? 0);
  const hash = createHash('md5');
  let received = 0;
  await pipeline(
    res,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        received += chunk.length;
        onProgress?.(received, total);
        yield chunk;
      }
    },
    createWriteStream(file),
  );
  if (total > 0 && received !== total) throw new Error(`connection closed after ${received} of ${total} bytes`);
  return hash.digest('hex');
}

function request(url: string, redirects: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new Error(`'${url}' is not a URL`));
      return;
    }
    const get = u.protocol === 'https:' ? httpsGet : u.protocol === 'http:' ? httpGet : null;
    if (!get) {
      reject(new Error(`unsupported protocol ${u.protocol}`));
      return;
    }
    const req = get(u, { timeout: 30_000 }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects === 0) reject(new Error('too many redirects'));
        else request(new URL(res.headers.location, u).toString(), redirects - 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new Error(`HTTP ${status}`));
        return;
      }
      resolve(res);
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 30 s without data')));
    req.on('error', reject);
  });
}
