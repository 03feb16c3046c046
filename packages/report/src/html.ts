// The report as one HTML file: the Markdown this package emits (headings, paragraphs, lists, pipe
// tables, images, **bold**, `code`, [links]) converted, with every SVG image inlined. Not a general
// Markdown parser: only the constructs markdown.ts writes.
import { PAGE_STYLE } from './page-style.js';

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function inline(text: string): string {
  const codes: string[] = [];
  // Code spans first, so that nothing inside them is read as Markdown.
  let s = text.replace(/`([^`]*)`/g, (_, code: string) => {
    codes.push(`<code>${escapeHtml(code)}</code>`);
    return `\u0000${codes.length - 1}\u0000`;
  });
  s = escapeHtml(s)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => codes[Number(i)]);
}

function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '');
}

/** A standalone HTML page; `svgs` maps an image's file name to the SVG text inlined in its place. */
export function markdownToHtml(markdown: string, svgs: Record<string, string>, title: string): string {
  const lines = markdown.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    const image = /^!\[([^\]]*)\]\(([^)\s]+)\)$/.exec(line.trim());
    if (heading) {
      const level = heading[1].length;
      out.push(`<h${level} id="${slug(heading[2].replace(/`/g, ''))}">${inline(heading[2])}</h${level}>`);
      i++;
    } else if (image) {
      const svg = svgs[image[2]];
      out.push(
        svg === undefined
          ? `<p><img src="${escapeHtml(image[2])}" alt="${escapeHtml(image[1])}"></p>`
          : `<figure role="img" aria-label="${escapeHtml(image[1])}">${svg.trim()}</figure>`,
      );
      i++;
    } else if (line.startsWith('|')) {
      const rows: string[] = [];
      while (i < lines.length && lines[i].startsWith('|')) rows.push(lines[i++]);
      const align = cells(rows[1]).map((c) => (c.endsWith(':') ? ' class="r"' : ''));
      const th = cells(rows[0]).map((c, k) => `<th${align[k] ?? ''}>${inline(c)}</th>`).join('');
      const body = rows.slice(2).map((r) => `<tr>${cells(r).map((c, k) => `<td${align[k] ?? ''}>${inline(c)}</td>`).join('')}</tr>`);
      out.push(`<table><thead><tr>${th}</tr></thead><tbody>${body.join('')}</tbody></table>`);
    } else if (line.startsWith('- ')) {
      const items: string[] = [];
      while (i < lines.length && lines[i].startsWith('- ')) items.push(`<li>${inline(lines[i++].slice(2))}</li>`);
      out.push(`<ul>${items.join('')}</ul>`);
    } else {
      const para: string[] = [];
      while (i < lines.length && lines[i].trim() !== '' && !/^(#|\||- |!\[)/.test(lines[i])) para.push(lines[i++]);
      out.push(`<p>${inline(para.join(' '))}</p>`);
    }
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${out.join('\n')}
</body>
</html>
`;
}
