// A one-line progress bar on a terminal (redrawn in place), or a plain line every tenth of the way when
// the stream is not a TTY (logs, CI), so progress never floods a file. Used by the data download and
// by `bnlab train`.
export interface ProgressBar {
  update(done: number, total: number, suffix?: string): void;
  /** Ends the bar's line (and prints a last plain line when not a TTY). */
  finish(suffix?: string): void;
}

interface Stream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export function progressBar(stream: Stream, label: string, minIntervalMs = 100): ProgressBar {
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  let lastTenth = -1;
  let last = { done: 0, total: 0, suffix: '' };
  let drawn = false;
  const line = (done: number, total: number, suffix: string) => {
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const pct = `${(100 * frac).toFixed(0).padStart(3)}%`;
    if (!tty) return `${label} ${pct}${suffix ? ` ${suffix}` : ''}`;
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - suffix.length - 10));
    const full = Math.round(frac * width);
    return `${label} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${pct}${suffix ? ` ${suffix}` : ''}`;
  };
  return {
    update(done, total, suffix = '') {
      last = { done, total, suffix };
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < minIntervalMs && done < total) return;
        lastDraw = now;
        stream.write(`\r${line(done, total, suffix)}\x1b[K`);
        drawn = true;
      } else {
        const tenth = total > 0 ? Math.floor((10 * done) / total) : 0;
        if (tenth === lastTenth) return;
        lastTenth = tenth;
        stream.write(`${line(done, total, suffix)}\n`);
      }
    },
    finish(suffix) {
      const s = suffix ?? last.suffix;
      if (tty) stream.write(`\r${line(last.total, last.total, s)}\x1b[K\n`);
      else if (drawn || lastTenth !== 10) stream.write(`${line(last.total, last.total, s)}\n`);
    },
  };
}
