// The trial table of `bnlab serve`, filtered, sorted and paged on the server so that a study of
// thousands of trials sends the page one screenful.
export type Cell = string | number | boolean | null;
export type TrialRow = Record<string, Cell>;

export interface TableQuery {
  /** Column → filter: "text" (case-insensitive substring), "=x" (equal), ">x", ">=x", "<x", "<=x" (numeric). */
  filters: Record<string, string>;
  sort?: string;
  descending?: boolean;
  page: number;
  size: number;
}

export interface TablePage {
  /** Every column of any row, the first ones in a fixed order. */
  columns: string[];
  total: number;
  matched: number;
  page: number;
  size: number;
  rows: TrialRow[];
}

const FIRST = ['stage', 'label', 'state', 'progress', 'val %', 'test %', 'train %'];
const LAST = ['diverged', 'seconds', 'worker', 'finished', 'hash'];
export const MAX_PAGE_SIZE = 500;

export function columnsOf(rows: readonly TrialRow[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  const middle = [...seen].filter((k) => !FIRST.includes(k) && !LAST.includes(k)).sort();
  return [...FIRST.filter((k) => seen.has(k)), ...middle, ...LAST.filter((k) => seen.has(k))];
}

/** One predicate per filter; an unparsable numeric bound matches nothing rather than everything. */
function matcher(filter: string): (v: Cell) => boolean {
  const m = /^\s*(>=|<=|=|>|<)\s*(.*)$/.exec(filter);
  if (!m) {
    const needle = filter.trim().toLowerCase();
    return (v) => v !== null && String(v).toLowerCase().includes(needle);
  }
  const [, op, rest] = m;
  const target = rest.trim();
  if (op === '=') {
    const n = Number(target);
    return (v) => v !== null && (String(v).toLowerCase() === target.toLowerCase() || (target !== '' && typeof v === 'number' && v === n));
  }
  const bound = Number(target);
  if (target === '' || !Number.isFinite(bound)) return () => false;
  return (v) => {
    const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(x)) return false;
    return op === '>' ? x > bound : op === '>=' ? x >= bound : op === '<' ? x < bound : x <= bound;
  };
}

/** Numbers before strings, numbers numerically, empty cells last whatever the direction. */
function compare(a: Cell, b: Cell): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

export function queryTable(rows: readonly TrialRow[], q: TableQuery): TablePage {
  const columns = columnsOf(rows);
  const tests = Object.entries(q.filters)
    .filter(([, f]) => f.trim() !== '')
    .map(([col, f]) => ({ col, test: matcher(f) }));
  let out = rows.filter((r) => tests.every(({ col, test }) => test(r[col] ?? null)));
  if (q.sort !== undefined) {
    const key = q.sort;
    const sign = q.descending ? -1 : 1;
    out = out
      .map((r, i) => ({ r, i }))
      .sort((x, y) => {
        const a = x.r[key] ?? null;
        const b = y.r[key] ?? null;
        if (a === null || b === null) return a === b ? x.i - y.i : a === null ? 1 : -1;
        return sign * compare(a, b) || x.i - y.i;
      })
      .map((x) => x.r);
  }
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(q.size)));
  const pages = Math.max(1, Math.ceil(out.length / size));
  const page = Math.min(Math.max(0, Math.floor(q.page)), pages - 1);
  return { columns, total: rows.length, matched: out.length, page, size, rows: out.slice(page * size, (page + 1) * size) };
}

/** The query from URL parameters: f.<column>=filter, sort, desc=1, page, size. */
export function parseTableQuery(params: URLSearchParams): TableQuery {
  const filters: Record<string, string> = {};
  for (const [k, v] of params) if (k.startsWith('f.')) filters[k.slice(2)] = v;
  const num = (k: string, fallback: number) => {
    const n = Number(params.get(k));
    return params.has(k) && Number.isFinite(n) ? n : fallback;
  };
  return {
    filters,
    sort: params.get('sort') || undefined,
    descending: params.get('desc') === '1',
    page: num('page', 0),
    size: num('size', 50),
  };
}
