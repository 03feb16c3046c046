// A report is a list of blocks (heading, paragraph, list, warning, table, chart, file), rendered twice
// from the same blocks: to Markdown (README.md with the SVGs and CSVs beside it) and to one HTML file
// (charts inlined). Text may carry three inline marks, written the same for both: `code`, **bold**
// and [label](file).
import { escapeHtml, inline } from './html.js';
import { PAGE_STYLE } from './page-style.js';
import { csvText, markdownTable, type CsvValue, type Table } from './tables.js';

export type Block =
  | { type: 'heading'; level: 1 | 2 | 3 | 4; text: string }
  | { type: 'paragraph'; text: string }
  | { type: 'list'; items: string[] }
  /** A caution the reader must not miss (a search's best at the edge of its range). */
  | { type: 'warning'; text: string }
  /** Shown, and written as CSV beside the report. */
  | { type: 'table'; table: Table }
  | { type: 'chart'; file: string; alt: string; svg: string }
  /** A CSV (or other) file beside the report, linked by `text`. */
  | { type: 'file'; file: string; contents: string; text: string };

export const heading = (level: 1 | 2 | 3 | 4, text: string): Block => ({ type: 'heading', level, text });
export const paragraph = (...text: string[]): Block => ({ type: 'paragraph', text: text.join(' ') });
export const list = (items: string[]): Block => ({ type: 'list', items });
export const warning = (text: string): Block => ({ type: 'warning', text });
export const table = (t: Table): Block => ({ type: 'table', table: t });
export const chart = (file: string, alt: string, svg: string): Block => ({ type: 'chart', file, alt, svg });

/** Every file a list of blocks writes beside the report (tables' CSVs, with `lead`'s columns first; charts, files), by name. */
export function blockFiles(blocks: readonly Block[], lead: Record<string, CsvValue> = {}): Record<string, string> {
  const files: Record<string, string> = {};
  const put = (name: string, text: string) => {
    if (name in files) throw new Error(`two blocks write the report file '${name}'`);
    files[name] = text;
  };
  for (const b of blocks) {
    if (b.type === 'table') put(b.table.file, csvText(b.table, lead));
    else if (b.type === 'chart') put(b.file, b.svg);
    else if (b.type === 'file') put(b.file, b.contents);
  }
  return files;
}

export function renderMarkdown(blocks: readonly Block[]): string {
  const lines: string[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case 'heading':
        lines.push(`${'#'.repeat(b.level)} ${b.text}`, '');
        break;
      case 'paragraph':
        lines.push(b.text, '');
        break;
      case 'list':
        for (const item of b.items) lines.push(`- ${item}`);
        lines.push('');
        break;
      case 'warning':
        lines.push(`> **Warning:** ${b.text}`, '');
        break;
      case 'table':
        lines.push(markdownTable(b.table), '', `CSV: [${b.table.file}](${b.table.file})`, '');
        break;
      case 'chart':
        lines.push(`![${b.alt}](${b.file})`, '');
        break;
      case 'file':
        lines.push(`${b.text}: [${b.file}](${b.file}).`, '');
        break;
    }
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '');
}

/** The blocks as an HTML fragment (what goes inside <body>), every chart inlined: the report page's body and a dashboard's section. */
export function renderHtmlFragment(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case 'heading':
        out.push(`<h${b.level} id="${slug(b.text.replace(/`/g, ''))}">${inline(b.text)}</h${b.level}>`);
        break;
      case 'paragraph':
        out.push(`<p>${inline(b.text)}</p>`);
        break;
      case 'list':
        out.push(`<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`);
        break;
      case 'warning':
        out.push(`<p class="warning"><strong>Warning:</strong> ${inline(b.text)}</p>`);
        break;
      case 'table': {
        const t = b.table;
        const bold = new Set(t.bold ?? []);
        const cls = (k: number) => (t.align[k] === 'r' ? ' class="r"' : '');
        const th = t.header.map((c, k) => `<th${cls(k)}>${inline(c)}</th>`).join('');
        const rows = t.rows.map(
          (r, i) => `<tr>${r.map((c, k) => `<td${cls(k)}>${bold.has(i) && c !== '' ? `<strong>${inline(c)}</strong>` : inline(c)}</td>`).join('')}</tr>`,
        );
        out.push(`<table><thead><tr>${th}</tr></thead><tbody>${rows.join('')}</tbody></table>`);
        out.push(`<p>CSV: <a href="${escapeHtml(t.file)}">${escapeHtml(t.file)}</a></p>`);
        break;
      }
      case 'chart':
        out.push(`<figure role="img" aria-label="${escapeHtml(b.alt)}">${b.svg.trim()}</figure>`);
        break;
      case 'file':
        out.push(`<p>${inline(b.text)}: <a href="${escapeHtml(b.file)}">${escapeHtml(b.file)}</a>.</p>`);
        break;
    }
  }
  return out.join('\n');
}

/** A standalone HTML page of the blocks, every chart inlined. */
export function renderHtml(blocks: readonly Block[], title: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${renderHtmlFragment(blocks)}
</body>
</html>
`;
}
