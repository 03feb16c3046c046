// A chart in plain text for the terminal: series of (x, y) points on a character grid with a labelled
// y axis (top, middle, bottom values) and x axis (first and last x), each series its own mark.
// Points of different series on one cell show the later series' mark.

export interface TextSeries {
  name: string;
  mark: string;
  points: [number, number][];
}

const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3))));

/** `height` rows by `width` columns of plot, plus the axes and a legend line. */
export function textChart(series: TextSeries[], opts: { width?: number; height?: number; title: string; xLabel: string }): string[] {
  const width = opts.width ?? 60;
  const height = opts.height ?? 12;
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length === 0) return [opts.title, '  (no finite points)'];
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const grid = Array.from({ length: height }, () => Array<string>(width).fill(' '));
  for (const s of series) {
    for (const [x, y] of s.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const col = x1 === x0 ? 0 : Math.round(((x - x0) / (x1 - x0)) * (width - 1));
      const row = height - 1 - Math.round(((y - y0) / (y1 - y0)) * (height - 1));
      grid[row][col] = s.mark;
    }
  }
  const labels = grid.map((_, r) => (r === 0 ? fmt(y1) : r === height - 1 ? fmt(y0) : r === Math.floor((height - 1) / 2) ? fmt((y0 + y1) / 2) : ''));
  const pad = Math.max(...labels.map((l) => l.length));
  const left = fmt(x0);
  const right = fmt(x1);
  return [
    `${opts.title}   ${series.map((s) => `${s.mark} ${s.name}`).join('   ')}`,
    ...grid.map((row, r) => `${labels[r].padStart(pad)} ┤${row.join('')}`),
    `${' '.repeat(pad)} └${'─'.repeat(width)}`,
    `${' '.repeat(pad)}  ${left}${opts.xLabel.padStart(Math.floor(width / 2) - left.length + Math.ceil(opts.xLabel.length / 2))}${right.padStart(width - Math.floor(width / 2) - Math.ceil(opts.xLabel.length / 2))}`,
  ];
}
