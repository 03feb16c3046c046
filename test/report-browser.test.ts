// The published report as a person sees it: report/default/report.html and every chart SVG beside it,
// laid out by headless Chromium at a phone's width and a desktop's, and checked by the geometry the
// browser computes (getBoundingClientRect, Range.getClientRects): every axis has its tick labels, no
// two labels of a chart overlap or leave it, no number breaks across lines, the page never scrolls
// sideways, and at desktop width the title is one line. Screenshots go to .screenshots/ (gitignored).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM as NEEDS_CHROMIUM, describeWith } from './helpers/requires.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const repo = fileURLToPath(new URL('..', import.meta.url));
const published = path.join(repo, 'report', 'default');
const shots = path.join(repo, '.screenshots', 'report-browser');
const NARROW = 480;
const WIDE = 1280;
const charts = readdirSync(published).filter((f) => f.endsWith('.svg')).sort();

// In-page checks: each returns what a reader would find wrong, one line per problem, so that a
// failure names the chart, table or label. They run inside Chromium: self-contained, no imports.

/** Axes without tick labels, overlapping labels and labels cut by the edge, in every top-level <svg>. */
/**
 * A screenshot (for people to look at; the checks read the DOM), retried: headless Chromium now and
 * then answers "Protocol error (Page.captureScreenshot): Unable to capture screenshot" right after a
 * resize on a loaded machine (seen once in a full run; puppeteer/puppeteer#5341 is the same error).
 */
async function shoot(take: () => Promise<unknown>, tries = 3): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await take();
      return;
    } catch (err) {
      if (i >= tries || !/Unable to capture screenshot/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 250 * i));
    }
  }
}

function chartProblems(): string[] {
  const problems: string[] = [];
  for (const svg of Array.from(document.querySelectorAll('svg')).filter((s) => !s.ownerSVGElement)) {
    const name = svg.querySelector('text')?.textContent?.trim() || '(a chart without a title)';
    const box = svg.getBoundingClientRect();
    const scale = box.width / (svg.viewBox.baseVal?.width || box.width);
    const texts = Array.from(svg.querySelectorAll('text'))
      .filter((t) => (t.textContent ?? '').trim() !== '')
      .map((el) => ({ el, text: (el.textContent ?? '').trim(), r: el.getBoundingClientRect() }));
    // An axis is the ticks of one panel or facet (Plot groups a facet's ticks in a <g> of their own);
    // it needs a label beside each tick, allowing for unlabelled minor ticks, but never none.
    for (const axis of ['x', 'y'] as const) {
      for (const tickGroup of Array.from(svg.querySelectorAll(`g[aria-label="${axis}-axis tick"]`))) {
        const labelGroup = tickGroup.parentElement?.querySelector(`:scope > g[aria-label="${axis}-axis tick label"]`);
        const labels = texts.filter((t) => labelGroup?.contains(t.el));
        const facets = new Map<Element, Element[]>();
        for (const tick of Array.from(tickGroup.querySelectorAll('path, line'))) {
          const facet = tick.parentElement as Element;
          facets.set(facet, [...(facets.get(facet) ?? []), tick]);
        }
        for (const ticks of facets.values()) {
          const labelled = ticks.filter((tick) => {
            const r = tick.getBoundingClientRect();
            return labels.some((l) =>
              axis === 'x'
                ? Math.abs(l.r.left + l.r.width / 2 - (r.left + r.width / 2)) <= 4 * scale && l.r.top >= r.top - 1 && l.r.top <= r.bottom + 12 * scale
                : Math.abs(l.r.top + l.r.height / 2 - (r.top + r.height / 2)) <= 6 * scale && l.r.right <= r.left + 1 && l.r.right >= r.left - 12 * scale,
            );
          });
          if (labelled.length < Math.min(2, ticks.length)) {
            problems.push(`${name}: an ${axis} axis with ${ticks.length} ticks has ${labelled.length} tick labels`);
          }
        }
      }
    }
    for (let i = 0; i < texts.length; i++) {
      const a = texts[i].r;
      if (a.left < box.left - 1 || a.right > box.right + 1 || a.top < box.top - 1 || a.bottom > box.bottom + 1) {
        problems.push(`${name}: "${texts[i].text}" is cut by the chart's edge`);
      }
      for (let j = i + 1; j < texts.length; j++) {
        const b = texts[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) problems.push(`${name}: "${texts[i].text}" overlaps "${texts[j].text}"`);
      }
    }
  }
  return problems;
}

/** Numbers broken across lines in table cells, numeric cells that wrap, a page wider than the window, the title's lines. */
function pageProblems(): { problems: string[]; titleLines: number } {
  // Lines spanned by a set of boxes: boxes whose vertical extents overlap sit on one line.
  const lines = (rects: DOMRectList): number => {
    let n = 0;
    let bottom = -Infinity;
    for (const r of Array.from(rects).filter((r) => r.width > 0).sort((a, b) => a.top - b.top)) {
      if (r.top >= bottom - 0.5) {
        n++;
        bottom = r.bottom;
      } else bottom = Math.max(bottom, r.bottom);
    }
    return n;
  };
  const problems: string[] = [];
  const NUMBER = /[-−]?\d+(?:\.\d+)?(?:e[-+−]?\d+)?%?/gi;
  Array.from(document.querySelectorAll('table')).forEach((table, t) => {
    const head = Array.from(table.querySelectorAll('th')).map((th) => th.textContent).join(' | ');
    Array.from(table.querySelectorAll('td, th')).forEach((cell) => {
      const where = `table ${t + 1} (${head})`;
      const range = document.createRange();
      if (cell.classList.contains('r')) {
        range.selectNodeContents(cell);
        if (lines(range.getClientRects()) > 1) problems.push(`${where}: numeric cell "${cell.textContent}" wraps`);
      }
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of (node.nodeValue ?? '').matchAll(NUMBER)) {
          range.setStart(node, m.index ?? 0);
          range.setEnd(node, (m.index ?? 0) + m[0].length);
          if (lines(range.getClientRects()) > 1) problems.push(`${where}: "${m[0]}" breaks across lines in "${cell.textContent}"`);
        }
      }
    });
  });
  const overflow = document.documentElement.scrollWidth - window.innerWidth;
  if (overflow > 1) problems.push(`the page scrolls sideways by ${overflow} px`);
  const title = document.createRange();
  title.selectNodeContents(document.querySelector('h1') as Element);
  return { problems, titleLines: lines(title.getClientRects()) };
}

describeWith([NEEDS_CHROMIUM], 'the published report in headless Chromium', () => {
  let profile: string;
  let browser: BrowserContext;
  beforeAll(async () => {
    profile = mkdtempSync(path.join(tmpdir(), 'bnlab-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    rmSync(shots, { recursive: true, force: true });
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  async function open(file: string, width: number): Promise<Page> {
    // A persistent context ignores newPage's options: the window's size is set on the page.
    const page = await browser.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`file://${path.join(published, file)}`);
    return page;
  }

  for (const width of [NARROW, WIDE]) {
    describe(`${width} px wide`, () => {
      it('report.html: tables keep numbers whole, the page never scrolls sideways, the charts read', async () => {
        const page = await open('report.html', width);
        await shoot(() => page.screenshot({ path: path.join(shots, `report-${width}.png`), fullPage: true }));
        await shoot(() => page.screenshot({ path: path.join(shots, `report-${width}-top.png`) }));
        const tables = page.locator('table');
        for (let i = 0; i < (await tables.count()); i++) {
          await shoot(() => tables.nth(i).screenshot({ path: path.join(shots, `report-${width}-table-${i + 1}.png`) }));
        }
        const { problems, titleLines } = await page.evaluate(pageProblems);
        const inline = await page.evaluate(chartProblems);
        await page.close();
        expect([...problems, ...inline]).toEqual([]);
        if (width === WIDE) expect(titleLines, 'the title wraps at desktop width').toBe(1);
      });

      it.each(charts)(`%s: every axis has tick labels, no label overlaps another or leaves the chart`, async (file) => {
        const page = await open(file, width);
        // A standalone SVG keeps its own size; the window is cut to it for the screenshot.
        const height = await page.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
        await page.setViewportSize({ width, height: Math.max(height, 100) });
        await shoot(() => page.screenshot({ path: path.join(shots, `${file.replace(/\.svg$/, '')}-${width}.png`) }));
        const problems = await page.evaluate(chartProblems);
        await page.close();
        expect(problems).toEqual([]);
      });
    });
  }
});
