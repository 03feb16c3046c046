// Test helpers: read tables back out of the rendered Markdown and CSV.

export interface ParsedTable {
  header: string[];
  rows: string[][];
  /** Rows written in bold (every non-empty cell wrapped in **). */
  bold: number[];
}

function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** The Markdown table followed by the line `CSV: [file](file)`. */
export function tableBefore(markdown: string, csvFile: string): ParsedTable {
  const lines = markdown.split('\n');
  const at = lines.indexOf(`CSV: [${csvFile}](${csvFile})`);
  if (at < 0) throw new Error(`no table for ${csvFile}`);
  let start = at - 2;
  while (start > 0 && lines[start - 1].startsWith('|')) start--;
  const table = lines.slice(start, at - 1);
  const rows = table.slice(2).map(cells);
  const bold: number[] = [];
  const plain = rows.map((r, i) => {
    const isBold = r.every((c) => c === '' || /^\*\*.*\*\*$/.test(c));
    if (isBold) bold.push(i);
    return isBold ? r.map((c) => c.replace(/^\*\*(.*)\*\*$/, '$1')) : r;
  });
  return { header: cells(table[0]), rows: plain, bold };
}

/** RFC 4180 CSV to rows of strings (quoted fields, doubled quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  if (field !== '' || row.length > 0) row.push(field), rows.push(row);
  return rows;
}

/** CSV rows as objects keyed by the header. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}
