// End to end: `bnlab serve` on a temporary workspace, opened in headless Chromium (Debian's chromium
// through playwright-core). The study is the published one under its smoke profile (run whole, so its
// report exists) and a profile of the spec's own adding a grid stage named `widths`: stage names are
// the user's. Checks that the declared stages (with their kinds) and the sections appear, each exactly
// the HTML the published report holds for that stage, that a stage started meanwhile shows its
// progress and live curves without a reload and ends current, that a result
// being rewritten shows as such without stopping the server, that no path outside the routes is
// served, and the one-line errors for a port in use and an unknown profile. Saves screenshots in
// test/screenshots/ (gitignored).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, appendFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cifar10Dir } from './helpers/cifar10.js';
import { CHROMIUM as NEEDS_CHROMIUM, runs } from './helpers/requires.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'packages/pipeline/bin/bnlab.js');
const CHROMIUM = '/usr/bin/chromium';
const shots = path.join(repo, 'test/screenshots');

const run = runs(NEEDS_CHROMIUM) ? describe : describe.skip;
if (!runs(NEEDS_CHROMIUM)) process.stderr.write('skipped test/serve.test.ts: needs chromium (apt-get install chromium)\n');

// A profile adding a stage of its own name whose trials take a few seconds each, so the page can watch one train.
const LIVE_PROFILE = `
  live:
    data:
      validation: 100
      finalValidation: 100
    defaults:
      kernel: auto
      training:
        batch: 50
        nsUpdates: 800
        cycles: 1
        pointsPerCycle: 10
    stages:
      widths:
        kind: grid
        vary:
          net: [3-layer, 9-layer]
          batchNorm: [false, true]
        seeds: 1
        history: true
`;

let ws: string;
let serve: ResultPromise | undefined;
let url = '';
let context: BrowserContext | undefined;
let profileDir = '';
let page: Page;

const env = () => ({ BNLAB_WORKSPACE: ws, BNLAB_CIFAR10_DIR: cifar10Dir, CI: 'true', NX_TASK_TARGET_CONFIGURATION: '' });
const bnlab = (args: string[]) => execa(process.execPath, [bin, ...args], { cwd: ws, reject: false, env: env() });

/** A request with the path exactly as written (fetch and URL would normalise the dots away). */
function rawGet(rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: rawPath, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

run('bnlab serve in Chromium', () => {
  beforeAll(async () => {
    ws = mkdtempSync(path.join(tmpdir(), 'bnlab-serve-'));
    copyFileSync(path.join(repo, 'experiments.yaml'), path.join(ws, 'experiments.yaml'));
    appendFileSync(path.join(ws, 'experiments.yaml'), LIVE_PROFILE);
    for (const args of [['all', '-c', 'smoke', '--workers', '2'], ['data', '-c', 'live']]) {
      const r = await bnlab(['run', ...args]);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    serve = execa(process.execPath, [bin, 'serve', '-c', 'live', '--port', '0'], { cwd: ws, env: env(), reject: false });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      serve!.stdout!.on('data', (c: Buffer) => {
        out += c;
        const m = /http:\/\/\S+\//.exec(out);
        if (m) resolve(m[0]);
      });
      void serve!.then((r) => reject(new Error(`bnlab serve exited ${r.exitCode}: ${r.stderr}`)));
    });
    profileDir = mkdtempSync(path.join(tmpdir(), 'bnlab-chromium-')); // a fresh browser profile
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1500, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await context.newPage();
    mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    serve?.kill('SIGTERM');
    await serve;
    rmSync(ws, { recursive: true, force: true });
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('shows both profiles side by side: the declared stages with their kinds and states, each stage\'s section of the report', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}?profile=live&compare=smoke`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 180_000 });
    expect(await page.locator('.column').count()).toBe(2);
    const smoke = page.locator('.column[data-profile="smoke"]');
    const live = page.locator('.column[data-profile="live"]');
    // The graph is the plan's: every declared stage, in order, with its kind.
    for (const [profile, col] of [['smoke', smoke], ['live', live]] as const) {
      const plan = await bnlab(['plan', '-c', profile, '--json']);
      const stages = (JSON.parse(plan.stdout).stages as { stage: string; kind: string }[]).map((x) => [x.stage, x.kind]);
      expect(await col.locator('.graph .node').evaluateAll((ns) => ns.map((n) => [(n as HTMLElement).dataset.stage, n.querySelector('text.kind')?.textContent]))).toEqual(stages);
    }
    expect(await live.locator('.graph .node').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset.stage))).toContain('widths');
    expect(await smoke.locator('.graph .node[data-stage="coarse"]').getAttribute('class')).toContain('current');
    expect(await smoke.locator('.graph .node[data-stage="coarse"] text.trial-count').textContent()).toBe('4/4 trials');
    expect(await live.locator('.graph .node[data-stage="widths"]').getAttribute('class')).toContain('missing');
    // Each stage's section is the report's: what /api/section serves is in the published report.html, verbatim.
    const report = readFileSync(path.join(ws, 'report/smoke/report.html'), 'utf8');
    for (const stage of ['gradcheck', 'coarse', 'learning-rate']) {
      const section = JSON.parse((await rawGet(`/api/section?profile=smoke&stage=${stage}`)).body);
      expect(section.html.length, stage).toBeGreaterThan(200);
      expect(report.includes(section.html), `${stage}: the page's section is not the report's`).toBe(true);
      expect(report.includes(section.conclusions), stage).toBe(true);
    }
    // The charts drawn: the coarse search's chart and the learning-rate grid's, in the page.
    await expect.poll(() => smoke.locator('.stage-card[data-stage="coarse"] .section figure svg').count()).toBeGreaterThanOrEqual(1);
    expect(await smoke.locator('.stage-card[data-stage="coarse"] .section h2').textContent()).toMatch(/^coarse: /);
    expect(await smoke.locator('.stage-card[data-stage="learning-rate"] .section figure svg').count()).toBeGreaterThanOrEqual(1);
    expect(await smoke.locator('.stage-card[data-stage="gradcheck"] .section figure svg').count()).toBe(1);
    // A section's CSV link is served.
    const csv = await smoke.locator('.stage-card[data-stage="coarse"] .section a[href*="/api/file"]').first().getAttribute('href');
    const got = await rawGet(csv!);
    expect(got.status).toBe(200);
    expect(got.body.split('\n')[0]).toContain(',');
    // The trial table, from the workspace's store, filtered on the server: the 4 coarse trials of smoke, with their λ.
    const table = smoke.locator('.trials');
    await table.locator('input[data-col="stage"]').fill('coarse');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(4);
    expect(await table.locator('.count').textContent()).toMatch(/^4 of \d+ shown/);
    await table.locator('th[data-col="lambda"]').click();
    await expect.poll(() => table.locator('th[data-col="lambda"] .arrow').textContent()).toBe(' ▴');
    const columns = await table.locator('thead tr').first().locator('th').evaluateAll((ths) => ths.map((t) => (t as HTMLElement).dataset.col));
    const lambdas = await table.locator('tbody tr').evaluateAll((trs, i) => trs.map((tr) => Number(tr.children[i].textContent)), columns.indexOf('lambda'));
    expect(lambdas).toEqual([...lambdas].sort((a, b) => a - b));
    // The live profile's table lists none of smoke's trials (the store is the workspace's; the plan filters).
    const hashes = (q: string) => JSON.parse(q).rows.map((r: { hash: string }) => r.hash) as string[];
    const smokeCoarse = hashes((await rawGet('/api/trials?profile=smoke&f.stage=coarse&size=250')).body);
    const liveCoarse = hashes((await rawGet('/api/trials?profile=live&f.stage=coarse&size=250')).body);
    expect(smokeCoarse).toHaveLength(4);
    expect(liveCoarse.length).toBeGreaterThan(0);
    expect(liveCoarse.filter((h) => smokeCoarse.includes(h))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('follows a stage started meanwhile without a reload: progress changes, curves grow, the stage ends current', async () => {
    await page.evaluate(() => ((window as unknown as { sameLoad: number }).sameLoad = 1));
    const live = page.locator('.column[data-profile="live"]');
    const stage = bnlab(['run', 'widths', '-c', 'live', '--workers', '1', '--threads', '1']);
    await live.locator('.running-now .running-trial .update').first().waitFor({ timeout: 180_000 });
    expect(await live.locator('.graph .node[data-stage="widths"]').getAttribute('class')).toContain('running');
    const seen = new Set<string>();
    const progressText = () => live.locator('.running-now').textContent();
    seen.add((await progressText())!);
    await expect.poll(async () => (seen.add((await progressText())!), seen.size), { timeout: 180_000 }).toBeGreaterThan(2);
    await live.locator('.live-curves .chart svg').first().waitFor({ timeout: 180_000 });
    expect(await live.locator('.live-curves .chart svg').first().textContent()).toContain('Cost, loss');
    // It grows: more recorded points, without a reload.
    await expect.poll(async () => Number(await live.locator('.live-curves .chart .points').first().textContent()), { timeout: 180_000 }).toBeGreaterThanOrEqual(4);
    expect(await live.locator('.summary .eta-value').textContent()).toMatch(/^≈ /);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(shots, 'serve-running.png'), clip: { x: 0, y: 0, width: 1500, height: 1700 }, fullPage: true });

    const r = await stage;
    expect(r.exitCode, r.stderr).toBe(0);
    await expect.poll(() => live.locator('.graph .node[data-stage="widths"]').getAttribute('class'), { timeout: 30_000 }).toContain('current');
    // Its section: a chart per varied factor, and its training curves (one chart per net).
    await expect.poll(() => live.locator('.stage-card[data-stage="widths"] .section figure svg').count(), { timeout: 30_000 }).toBe(4);
    await expect.poll(() => live.locator('.running-now').textContent()).toContain('Nothing is running');
    expect(await page.evaluate(() => (window as unknown as { sameLoad?: number }).sameLoad)).toBe(1);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(shots, 'serve-done.png'), fullPage: true });
  });

  it('shows a result being rewritten as such, and keeps serving', async () => {
    const file = path.join(ws, 'results/smoke/coarse/result.json');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.slice(0, 200)); // what a reader of a non-atomic writer would see
    const node = page.locator('.column[data-profile="smoke"] .graph .node[data-stage="coarse"]');
    try {
      await expect.poll(() => node.getAttribute('class'), { timeout: 30_000 }).toContain('invalid');
      expect((await rawGet('/api/study?profile=smoke')).status).toBe(200);
    } finally {
      writeFileSync(file, good);
    }
    await expect.poll(() => node.getAttribute('class'), { timeout: 30_000 }).toContain('current');
  });

  it('serves nothing outside its routes', async () => {
    for (const ok of ['/', '/app.js', '/report/charts/curves.js', '/api/profiles', '/api/section?profile=smoke&stage=coarse']) expect((await rawGet(ok)).status, ok).toBe(200);
    for (const p of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fetc%2fpasswd',
      '/report/../../../package.json',
      '/report/%2e%2e/%2e%2e/package.json',
      '/report/charts/../../../../experiments.yaml',
      '//etc/passwd',
      '/etc/passwd',
      '/C:/Windows/win.ini',
      '/experiments.yaml',
      '/results/smoke/coarse/result.json',
      '/api/result?profile=smoke&stage=../../../../etc/passwd',
      '/api/study?profile=../smoke',
      '/api/section?profile=smoke&stage=../../experiments.yaml',
      '/api/section?profile=smoke&stage=data-x',
      '/api/file?profile=smoke&stage=coarse&file=../../../experiments.yaml',
      '/api/file?profile=smoke&stage=coarse&file=result.json',
      '/api/file?profile=smoke&stage=coarse&file=constructor',
    ]) {
      const r = await rawGet(p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toMatch(/root:|configHash|stages:/);
    }
    // A page elsewhere that rebinds its name to 127.0.0.1 is refused.
    expect((await rawGet('/api/profiles', { host: `evil.example:${new URL(url).port}` })).status).toBe(403);
  });

  it('says in one line when the port is in use or the profile unknown', async () => {
    const port = new URL(url).port;
    const busy = await bnlab(['serve', '--port', port]);
    expect(busy.exitCode).toBe(1);
    expect(busy.stderr.trim()).toBe(`bnlab: serve: port ${port} on 127.0.0.1 is in use (another \`bnlab serve\`?); choose another with --port, or --port 0 for any free one`);
    const unknown = await bnlab(['serve', '-c', 'smokee', '--port', '0']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain("unknown profile 'smokee' (did you mean 'smoke'?)");
    // Any address but loopback: served, with a warning that there is no authentication.
    // No SIGKILL 5 s after the SIGTERM (execa's default): on a loaded machine a clean exit may take longer.
    const open = execa(process.execPath, [bin, 'serve', '--host', '0.0.0.0', '--port', '0'], { cwd: ws, env: env(), reject: false, forceKillAfterDelay: 60_000 });
    await new Promise<void>((resolve) => open.stdout!.on('data', (c: Buffer) => String(c).includes('http://') && resolve()));
    open.kill('SIGTERM');
    const closed = await open;
    expect(closed.exitCode).toBe(0);
    expect(closed.stderr.trim()).toBe('bnlab: serve: warning: listening on 0.0.0.0 without authentication: anyone who can reach it can read the study');
  });
});
