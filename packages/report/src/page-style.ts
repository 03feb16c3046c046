// The report page's style sheet. The page reads at any width: prose keeps a readable measure while
// tables and charts may use a wide window; a table wider than the window scrolls inside itself
// (display:block with overflow), never the page; body cells and numeric headers never wrap, so no
// number breaks at the `-` of an exponent (`1.07e-` / `10`, `σ = 1e-` / `1`; cells are short);
// code takes its size from its context (a heading's `default` stays large).
export const PAGE_STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
p,li{max-width:46em}
h1{font-size:clamp(1.5em,4vw,2em);line-height:1.25;margin:0.5em 0}
h1 code,h2 code{font-size:0.9em;white-space:nowrap}
table{display:block;width:max-content;max-width:100%;overflow-x:auto;border-collapse:collapse;margin:0.5em 0 1em;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px}th{background:#f4f4f4}
td,th.r{white-space:nowrap}td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:0.85em;background:#f4f4f4;padding:0 3px}
figure{margin:1em 0}figure svg{max-width:100%;height:auto}
.warning{border-left:4px solid #d62728;padding:2px 10px;background:#fff4f4}`;
