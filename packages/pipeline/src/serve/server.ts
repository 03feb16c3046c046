// The HTTP side of `bnlab serve` (node:http): a fixed set of routes, each mapped to a file chosen at
// start-up or to a JSON answer; nothing in a URL ever becomes a file path. Live changes reach the page
// as server-sent events: progress files are watched (fs.watch, and a once-a-second look at the same
// few small files and at folder modification times, which also notices a run that died).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { progressDir, readProgress, type LiveRun } from './progress-files.js';
import type { StudyViews } from './study-view.js';
import { parseTableQuery, queryTable } from './trial-table.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

interface Asset {
  file?: string;
  text?: string;
  type: string;
}

/** Every static route, decided once: the page, its script and style, Plot and d3, the report's built modules. */
async function staticRoutes(): Promise<{ routes: Map<string, Asset>; csp: string }> {
  const web = fileURLToPath(new URL('../../web/', import.meta.url));
  const require = createRequire(import.meta.url);
  const reportDist = path.dirname(require.resolve('@bnlab/report'));
  const plotMain = require.resolve('@observablehq/plot', { paths: [reportDist] });
  const plotDir = packageDir(plotMain);
  const d3Dir = packageDir(createRequire(path.join(plotDir, 'package.json')).resolve('d3'));
  const routes = new Map<string, Asset>();
  const html = readFileSync(path.join(web, 'index.html'), 'utf8');
  routes.set('/', { text: html, type: TYPES['.html'] });
  routes.set('/app.js', { file: path.join(web, 'app.js'), type: TYPES['.js'] });
  routes.set('/style.css', { file: path.join(web, 'style.css'), type: TYPES['.css'] });
  routes.set('/vendor/d3.js', { file: path.join(d3Dir, 'dist/d3.min.js'), type: TYPES['.js'] });
  routes.set('/vendor/plot.umd.js', { file: path.join(plotDir, 'dist/plot.umd.min.js'), type: TYPES['.js'] });
  // The report's modules import '@observablehq/plot': the page's import map points that here, at the
  // UMD build's global re-exported under every name the package exports.
  const names = Object.keys(await import(pathToFileURL(plotMain).href)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  routes.set('/vendor/plot.js', { text: `const P = globalThis.Plot;\nexport const { ${names.join(', ')} } = P;\n`, type: TYPES['.js'] });
  for (const rel of jsFiles(reportDist)) routes.set(`/report/${rel}`, { file: path.join(reportDist, rel), type: TYPES['.js'] });
  // The import map is the page's one inline script: allowed by its hash, nothing else inline.
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const hash = createHash('sha256').update(importMap).digest('base64');
  const csp = `default-src 'self'; script-src 'self' 'sha256-${hash}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  return { routes, csp };
}

function packageDir(file: string): string {
  let dir = path.dirname(file);
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  // Some packages keep a {"type": "module"} package.json in a subfolder: the real root has a name.
  while (!JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function jsFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...jsFiles(root, r));
    else if (e.name.endsWith('.js') && !e.name.endsWith('.spec.js')) out.push(r);
  }
  return out;
}

export interface ServeOptions {
  workspace: string;
  views: StudyViews;
  host: string;
  port: number;
  /** The profile the page opens with. */
  profile: string;
  /** ms between looks at progress files and results (default 1000). */
  tickMs?: number;
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const { routes, csp } = await staticRoutes();
  const dir = progressDir(o.workspace);
  let live: LiveRun[] = readProgress(dir);
  let liveText = JSON.stringify(live);
  const clients = new Set<{ res: ServerResponse; profiles: string[] }>();
  const send = (res: ServerResponse, event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  const hostsAllowed = (port: number) => new Set([...LOOPBACK].map((h) => `${h}:${port}`));
  let allowedHosts = new Set<string>();

  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(value));
  };
  const notFound = (res: ServerResponse) => json(res, 404, { error: 'not found' });

  const profileOf = (params: URLSearchParams, res: ServerResponse): string | undefined => {
    const p = params.get('profile') ?? o.profile;
    if (o.views.profiles().includes(p)) return p;
    json(res, 404, { error: `unknown profile '${p}'` });
    return undefined;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    // Bound to loopback, answer only to loopback names: a web page elsewhere cannot rebind a name to us.
    if (allowedHosts.size > 0 && !allowedHosts.has(String(req.headers.host))) {
      json(res, 403, { error: 'bnlab serve answers only to localhost' });
      return;
    }
    const raw = req.url ?? '/';
    // Only plain paths: anything encoded, dotted or doubled is not one of ours.
    const pathname = raw.split('?')[0];
    const params = new URL(raw, 'http://localhost').searchParams;
    if (!/^\/[\w/.-]*$/.test(pathname) || pathname.includes('..') || pathname.includes('//')) return notFound(res);

    const asset = routes.get(pathname);
    if (asset) {
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache', ...(pathname === '/' ? { 'content-security-policy': csp } : {}) });
      res.end(asset.text ?? readFileSync(asset.file!));
      return;
    }
    switch (pathname) {
      case '/api/profiles':
        return json(res, 200, { profiles: o.views.profiles(), profile: o.profile });
      case '/api/study': {
        const p = profileOf(params, res);
        if (p) json(res, 200, o.views.view(p, live));
        return;
      }
      case '/api/result': {
        const p = profileOf(params, res);
        if (!p) return;
        const text = o.views.result(p, params.get('stage') ?? '');
        if (text === undefined) return json(res, 404, { error: `no result for stage '${params.get('stage')}' of profile '${p}'` });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(text);
        return;
      }
      case '/api/section': {
        // The stage's section of the report, rendered by its kind (cached until a result changes).
        const p = profileOf(params, res);
        if (!p) return;
        const stage = params.get('stage') ?? '';
        const section = o.views.section(p, stage);
        if (section === undefined) return json(res, 404, { error: `no stage '${stage}' in profile '${p}'` });
        return json(res, 200, 'html' in section ? { ...section, files: Object.keys(section.files) } : section);
      }
      case '/api/file': {
        // A file the section writes beside the report (its CSVs and SVGs), by the name the section gives it.
        const p = profileOf(params, res);
        if (!p) return;
        const section = o.views.section(p, params.get('stage') ?? '');
        const name = params.get('file') ?? '';
        const text = section && 'files' in section && Object.hasOwn(section.files, name) ? section.files[name] : undefined;
        if (text === undefined) return notFound(res);
        const type = name.endsWith('.svg') ? 'image/svg+xml; charset=utf-8' : name.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8';
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
        res.end(text);
        return;
      }
      case '/api/trials': {
        const p = profileOf(params, res);
        if (p) json(res, 200, queryTable(o.views.trialRows(p, live), parseTableQuery(params)));
        return;
      }
      case '/api/events': {
        const profiles = params.getAll('profile').filter((p) => o.views.profiles().includes(p));
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        const c = { res, profiles };
        clients.add(c);
        send(res, 'hello', { profiles });
        req.on('close', () => clients.delete(c));
        return;
      }
      default:
        return notFound(res);
    }
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      // A result replaced mid-read, a study file mid-edit: answer, keep serving.
      if (!res.headersSent) json(res, 500, { error: err instanceof Error ? err.message : String(err) });
      else res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Watch only once listening: a port in use fails before anything keeps the process alive.
  const look = () => {
    live = readProgress(dir);
    const text = JSON.stringify(live);
    if (text !== liveText) {
      liveText = text;
      for (const c of clients) send(c.res, 'progress', { at: Date.now() });
    }
    const watched = new Set([...clients].flatMap((c) => c.profiles));
    for (const p of watched) {
      let changed = false;
      try {
        changed = o.views.changed(p);
      } catch {
        changed = true;
      }
      if (changed) for (const c of clients) if (c.profiles.includes(p)) send(c.res, 'study', { profile: p });
    }
  };
  let watcher: FSWatcher | undefined;
  let pending: NodeJS.Timeout | undefined;
  const soon = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      safely(look);
    }, 100);
  };
  const watchDir = () => {
    if (watcher || !existsSync(dir)) return;
    try {
      watcher = watch(dir, soon);
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined; // the tick below still looks every second
    }
  };
  watchDir();
  const tick = setInterval(() => {
    watchDir();
    safely(look);
  }, o.tickMs ?? 1000);
  const keepAlive = setInterval(() => {
    for (const c of clients) c.res.write(': keep-alive\n\n');
  }, 15_000);

  const port = (server.address() as { port: number }).port;
  if (LOOPBACK.has(o.host)) allowedHosts = hostsAllowed(port);
  const shownHost = o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host;
  return {
    server,
    url: `http://${shownHost}:${port}/`,
    async close() {
      clearInterval(tick);
      clearInterval(keepAlive);
      clearTimeout(pending);
      watcher?.close();
      for (const c of clients) c.res.end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // idle keep-alive connections of the page would hold close() open
      await closed;
    },
  };
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    // the next tick looks again
  }
}
