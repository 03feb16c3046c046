// A table is written twice: formatted for Markdown (percentages, scientific λ) and with the raw
// numbers, full precision, as CSV beside it.

export type CsvValue = string | number | boolean | null;

export interface Table {
  /** The CSV file name, e.g. "final.csv". */
  file: string;
  header: string[];
  /** Formatted Markdown cells. */
  rows: string[][];
  /** 'r' right-aligns a column (numbers). */
  align: ('l' | 'r')[];
  csvHeader: string[];
  csvRows: CsvValue[][];
  /** Markdown rows to set in bold (by index). */
  bold?: number[];
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function markdownTable(t: Table): string {
  const bold = new Set(t.bold ?? []);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const out = [line(t.header.map(mdCell)), line(t.align.map((a) => (a === 'r' ? '---:' : '---')))];
  t.rows.forEach((row, i) => out.push(line(row.map((c) => (bold.has(i) && c !== '' ? `**${mdCell(c)}**` : mdCell(c))))));
  return out.join('\n');
}

function csvField(v: CsvValue): string {
  if (v === null || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * RFC 4180 CSV; numbers at full precision (shortest round-trip form), missing values empty. `lead`:
 * columns put first on every row, each with its one value (the report's profile and data set, so
 * CSVs of several studies can be concatenated).
 */
export function csvText(t: Table, lead: Record<string, CsvValue> = {}): string {
  const names = Object.keys(lead);
  const values = Object.values(lead);
  return [[...names, ...t.csvHeader], ...t.csvRows.map((r) => [...values, ...r])].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}
