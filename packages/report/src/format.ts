// Number formats shared by tables, charts and sentences: accuracies as percentages with 2 decimals,
// λ and σ in scientific notation, relative errors with 3 significant digits.

/** 0.53664 → "53.66" (percent, 2 decimals). */
export function pct(x: number): string {
  return Number.isFinite(x) ? (x * 100).toFixed(2) : '—';
}

/** "53.66 ± 0.29"; with one value (no std) just "53.66". */
export function pctMeanStd(mean: number, std: number): string {
  return Number.isFinite(std) ? `${pct(mean)} ± ${pct(std)}` : pct(mean);
}

/** A difference of accuracies in percentage points, signed: "+1.23" / "−0.40". */
export function pp(x: number): string {
  if (!Number.isFinite(x)) return '—';
  const s = (Math.abs(x) * 100).toFixed(2);
  if (s === '0.00') return '0.00';
  return `${x < 0 ? '−' : '+'}${s}`;
}

/** λ with up to 5 significant digits: 0.0037592501 → "3.7593e-3", 0.005 → "5e-3". */
export function lambda(x: number): string {
  return x.toExponential(4).replace(/\.?0+e/, 'e');
}

/** σ as written in the study: 0.001 → "1e-3" (shortest exact scientific form). */
export function sigma(x: number): string {
  return x.toExponential();
}

/** Relative errors and small constants: up to 3 significant digits, "1.04e-10", "1e-6", 0 as "0". */
export function sci(x: number): string {
  return x === 0 ? '0' : x.toExponential(2).replace(/\.?0+e/, 'e');
}

/** Compute time: "42.0 s", "3 min 05 s", "2 h 07 min". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const m = Math.round(seconds / 60);
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** "1 cycle", "3 cycles". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
