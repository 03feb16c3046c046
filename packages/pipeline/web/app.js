// The page of `bnlab serve`: plain ES modules, no build step. Each stage's charts and tables are its
// section of the report, rendered on the server by the stage kind's own section() (the report stage's
// code path) and inserted here as HTML, so the page and the published report never disagree; the
// running trials' curves are drawn here by the report's own curvesChart. Data comes from /api/*;
// /api/events says when to look again.
import { curvesChart } from '/report/charts/curves.js';
import { duration as formatDuration, pct as formatPct } from '/report/format.js';

const STATE_TEXT = {
  current: 'current', stale: 'stale', missing: 'not run', invalid: 'invalid', unchecked: 'by Nx', running: 'running', failed: 'failed',
};

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const $ = (sel, root = document) => root.querySelector(sel);

// The report's own formats: one home for how a time or an accuracy reads.
const duration = (s) => (s === null || s === undefined || !Number.isFinite(s) || s < 0 ? '?' : formatDuration(s));
const pct = (x) => (typeof x === 'number' && Number.isFinite(x) ? `${formatPct(x)} %` : '–');
function num(v) {
  if (typeof v !== 'number') return v;
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

function cell(v) {
  if (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)) return `<td title="${esc(v)}"><code>${esc(v.slice(0, 12))}</code></td>`;
  return typeof v === 'number' ? `<td class="num">${esc(num(v))}</td>` : `<td>${esc(v)}</td>`;
}

async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  const text = await res.text();
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(res.ok ? 'the answer is not JSON (being written?)' : `HTTP ${res.status}`);
  }
  if (!res.ok) throw new Error(value.error ?? `HTTP ${res.status}`);
  return value;
}

// ---- state -------------------------------------------------------------------------------------

const params = new URLSearchParams(location.search);
const columns = []; // one per shown profile

function newColumn(profile) {
  const el = document.createElement('div');
  el.className = 'column';
  el.dataset.profile = profile;
  el.innerHTML = `
    <section class="card summary"></section>
    <section class="card graph"><h2>Study graph <small>click a stage for its charts</small></h2><div class="graph-svg"></div>
      <div class="legend">${['current', 'stale', 'running', 'failed', 'missing'].map((s) => `<span><i style="background:var(--${s})"></i>${STATE_TEXT[s]}</span>`).join('')}</div></section>
    <section class="card running-now"></section>
    <section class="card live-curves" hidden><h2>Live curves <small>the running trials, growing as they record</small></h2><div class="charts"></div></section>
    <div class="stages"></div>
    <section class="card trials"><h2>All trials <small class="count"></small></h2>
      <div class="table-wrap"><table><thead></thead><tbody></tbody></table></div>
      <div class="pager"><button data-go="-1">‹ previous</button><span class="where"></span><button data-go="1">next ›</button>
        <span style="margin-left:auto">rows <select class="size"><option>25</option><option selected>50</option><option>100</option><option>250</option></select></span></div>
    </section>`;
  const col = { profile, el, view: null, stages: new Map(), table: { sort: undefined, desc: false, page: 0, size: 50, filters: {}, columns: '' } };
  el.querySelector('.pager').addEventListener('click', (e) => {
    const go = e.target?.dataset?.go;
    if (!go) return;
    col.table.page = Math.max(0, col.table.page + Number(go));
    refreshTrials(col);
  });
  el.querySelector('.size').addEventListener('change', (e) => {
    col.table.size = Number(e.target.value);
    col.table.page = 0;
    refreshTrials(col);
  });
  return col;
}

// ---- summary, graph, running -----------------------------------------------------------------

function renderSummary(col) {
  const v = col.view;
  const running = v.running.filter((r) => r.status === 'running');
  const trialsRunning = running.reduce((n, r) => n + r.running.length, 0);
  const eta = v.eta === null ? 'unknown (no trial timed yet)'
    : v.trialsLeft === 0 && trialsRunning === 0 ? '—'
    : `≈ ${duration(v.eta)}${trialsRunning === 0 ? ' on one worker' : v.parallel > 1 ? ` at ${v.parallel} trials at once` : ''}`;
  const failed = v.running.filter((r) => r.status !== 'running');
  $('.summary', col.el).innerHTML = `
    <h2 class="profile-title">Profile <code>${esc(v.profile)}</code></h2>
    <div class="facts">
      <span>engine <b>${esc(v.engine)}</b></span>
      <span>work left <b>${v.trialsLeft}</b> trial${v.trialsLeft === 1 ? '' : 's'}${v.trialsUnknown ? ' (some counted from the configuration)' : ''}</span>
      <span>running <b>${trialsRunning}</b> trial${trialsRunning === 1 ? '' : 's'} in <b>${running.length}</b> stage${running.length === 1 ? '' : 's'}</span>
      <span>study ETA <b class="eta-value">${esc(eta)}</b></span>
    </div>
    <div class="facts"><span>stages to run: ${v.stagesToRun.length ? v.stagesToRun.map((s) => `<code>${esc(s)}</code>`).join(' ') : '<b>none, every stage is current</b>'}</span></div>
    ${v.problem ? `<div class="banner problem"><b>The results are changing while being read:</b> ${esc(v.problem)}. Looking again shortly.</div>` : ''}
    ${failed.map((r) => `<div class="banner failed"><b>${esc(r.stage)}</b> ${r.status === 'stale' ? 'stopped reporting' : 'failed'} (pid ${r.pid} on ${esc(r.host)}, ${new Date(r.updatedAt).toLocaleTimeString()}): ${esc(r.error ?? '')}</div>`).join('')}
    ${v.warnings.length ? `<details class="warnings"><summary>${v.warnings.length} warning${v.warnings.length === 1 ? '' : 's'}</summary>${v.warnings.map((w) => `<div>${esc(w)}</div>`).join('')}</details>` : ''}`;
}

/** Columns by longest path from a source; rows in plan order. */
function layout(stages) {
  const depth = new Map();
  const d = (s) => {
    if (depth.has(s.stage)) return depth.get(s.stage);
    const deps = s.dependsOn.map((x) => stages.find((y) => y.stage === x)).filter(Boolean);
    const v = deps.length ? 1 + Math.max(...deps.map(d)) : 0;
    depth.set(s.stage, v);
    return v;
  };
  stages.forEach(d);
  const rows = new Map();
  const pos = new Map();
  for (const s of stages) {
    const c = depth.get(s.stage);
    const r = rows.get(c) ?? 0;
    rows.set(c, r + 1);
    pos.set(s.stage, { c, r });
  }
  return { pos, cols: Math.max(...depth.values()) + 1, rows: Math.max(...rows.values()) };
}

function renderGraph(col) {
  const stages = col.view.stages;
  if (stages.length === 0) {
    $('.graph-svg', col.el).innerHTML = '<p class="muted">No plan yet.</p>';
    return;
  }
  const W = 184, H = 52, GX = 46, GY = 14;
  const { pos, cols, rows } = layout(stages);
  const colHeight = (c) => [...pos.values()].filter((p) => p.c === c).length;
  const height = rows * (H + GY) - GY;
  const at = (s) => {
    const p = pos.get(s);
    const top = (height - (colHeight(p.c) * (H + GY) - GY)) / 2;
    return { x: p.c * (W + GX), y: top + p.r * (H + GY) };
  };
  const edges = stages.flatMap((s) =>
    s.dependsOn.filter((d) => pos.has(d)).map((d) => {
      const a = at(d), b = at(s.stage);
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
      return `<path class="edge" d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2 - 4},${y2}" marker-end="url(#arrow-${esc(col.profile)})"/>`;
    }),
  );
  const nodes = stages.map((s) => {
    const { x, y } = at(s.stage);
    const color = `var(--${s.state === 'invalid' ? 'failed' : s.state === 'unchecked' ? 'missing' : s.state})`;
    const t = s.trials;
    const sub = t ? `${t.known ? '' : '~'}${t.stored}/${t.total} trials${t.running ? ` · ${t.running} running` : ''}` : STATE_TEXT[s.state];
    const frac = t && t.total > 0 ? t.stored / t.total : s.state === 'current' ? 1 : 0;
    return `<g class="node ${esc(s.state)}" data-stage="${esc(s.stage)}" transform="translate(${x},${y})">
      <title>${esc(s.stage)}: ${esc(STATE_TEXT[s.state] ?? s.state)}${s.reason ? ` — ${esc(s.reason)}` : ''}</title>
      <rect class="box" width="${W}" height="${H}" style="stroke:${color}"/>
      <rect x="0" y="${H - 5}" width="${W * frac}" height="5" style="fill:${color};opacity:.55"/>
      <text class="name" x="11" y="20">${esc(s.stage)}</text>
      <text class="sub kind" x="11" y="37">${esc(s.kind)}</text>
      <text class="sub trial-count" x="${W - 9}" y="37" text-anchor="end">${t ? esc(sub) : ''}</text>
      <text class="sub" x="${W - 9}" y="20" text-anchor="end" style="fill:${color};font-weight:600">${esc(STATE_TEXT[s.state] ?? s.state)}</text>
    </g>`;
  });
  const width = cols * (W + GX) - GX;
  $('.graph-svg', col.el).innerHTML = `<svg viewBox="-2 -2 ${width + 4} ${height + 4}" style="max-width:${width + 4}px" role="img" aria-label="study graph">
    <defs><marker id="arrow-${esc(col.profile)}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#b8bdc6"/></marker></defs>
    ${edges.join('')}${nodes.join('')}</svg>`;
  for (const g of col.el.querySelectorAll('.graph .node')) {
    g.addEventListener('click', () => col.el.querySelector(`.stage-card[data-stage="${CSS.escape(g.dataset.stage)}"]`)?.scrollIntoView({ behavior: 'smooth' }));
  }
}

function renderRunning(col) {
  const now = Date.now();
  const runs = col.view.running.filter((r) => r.status === 'running');
  const box = $('.running-now', col.el);
  if (runs.length === 0) {
    box.innerHTML = `<h2>Running now</h2><p class="muted">Nothing is running for this profile. Start a stage in another terminal, e.g.
      <code>npx bnlab run ${esc(col.view.stagesToRun.find((s) => s !== 'data') ?? col.view.stages.at(-1)?.stage ?? 'all')} -c ${esc(col.profile)}</code> or <code>npx nx run pipeline:all${col.profile === 'default' ? '' : ` -c ${esc(col.profile)}`}</code>; it appears here as it starts.</p>`;
    return;
  }
  box.innerHTML = `<h2>Running now <small>${runs.length} stage${runs.length === 1 ? '' : 's'}, updated ${new Date(Math.max(...runs.map((r) => r.updatedAt))).toLocaleTimeString()}</small></h2>
    ${runs.map((r) => {
      const done = r.stored + r.trained;
      return `<div class="run" data-stage="${esc(r.stage)}">
        <div class="facts"><span><span class="state running">${esc(r.stage)}</span></span>
          <span><b class="run-count">${done}/${r.total}</b> trials done (${r.stored} stored, ${r.trained} trained)</span>
          <span>pid ${r.pid} on ${esc(r.host)}</span><span>for ${duration((now - r.startedAt) / 1000)}</span>
          ${r.waitingFor ? `<span>${r.waitingFor} locked by another process</span>` : ''}</div>
        ${r.running.length ? `<div class="scroll"><table><thead><tr><th>trial</th><th>update</th><th></th><th class="num">epoch</th><th class="num">val. acc.</th><th class="num">ETA</th></tr></thead><tbody>
          ${r.running.map((t) => `<tr class="running-trial" data-hash="${esc(t.hash)}"><td>${esc(t.label)} <span class="muted">on ${esc(t.where)}</span></td>
            <td class="num update">${t.update}/${t.updates || '?'}</td><td><span class="bar"><span style="width:${t.updates ? (100 * t.update) / t.updates : 0}%"></span></span></td>
            <td class="num">${t.epoch.toFixed(1)}</td><td class="num">${pct(t.validationAccuracy)}</td><td class="num">${duration(t.eta)}</td></tr>`).join('')}
        </tbody></table></div>` : '<p class="muted">between trials…</p>'}
      </div>`;
    }).join('')}`;
}

function renderLiveCurves(col) {
  const trials = col.view.running.filter((r) => r.status === 'running').flatMap((r) => r.running.filter((t) => t.history.length > 0));
  const box = $('.live-curves', col.el);
  box.hidden = trials.length === 0;
  const charts = $('.charts', box);
  const keep = new Set(trials.map((t) => t.hash));
  for (const el of [...charts.children]) if (!keep.has(el.dataset.hash)) el.remove();
  for (const t of trials) {
    let el = charts.querySelector(`[data-hash="${t.hash}"]`);
    if (!el) {
      el = document.createElement('div');
      el.className = 'chart';
      el.dataset.hash = t.hash;
      charts.append(el);
    }
    if (el.dataset.points === String(t.history.length)) continue;
    el.dataset.points = String(t.history.length);
    const c = t.config ?? {};
    const group = {
      name: t.label,
      net: { hidden: Array.isArray(c.hidden) ? c.hidden : [], batchNorm: Boolean(c.batchNorm), init: c.init ?? { kind: 'he' } },
      lambda: typeof c.lambda === 'number' ? c.lambda : NaN,
      runs: [{ seed: c.seed ?? 0, hash: t.hash, result: { history: t.history, diverged: false } }],
    };
    const caption = `<div class="live-caption">${esc(t.label)} · <span class="points">${t.history.length}</span> point${t.history.length === 1 ? '' : 's'} recorded · update ${t.update}/${t.updates}</div>`;
    if (t.history.length < 2) {
      el.innerHTML = `${caption}<p class="muted">The curve starts at its second recorded point.</p>`;
      continue;
    }
    try {
      el.innerHTML = `${caption}${curvesChart(group, document, `live-${col.profile}-${t.hash.slice(0, 10)}`)}`;
    } catch (err) {
      el.innerHTML = `<div class="error">live curve of ${esc(t.label)}: ${esc(err.message)}</div>`;
    }
  }
}

// ---- stage sections ------------------------------------------------------------------------------

/**
 * Ids made unique per column (two profiles side by side share stage and chart names), references
 * following; relative links (the section's CSV and SVG files) pointed at /api/file.
 */
function adopt(el, col, stage) {
  const prefix = `${col.profile}--`;
  const ids = new Set([...el.querySelectorAll('[id]')].map((n) => n.id));
  for (const n of el.querySelectorAll('[id]')) n.id = prefix + n.id;
  if (ids.size > 0) {
    for (const n of el.querySelectorAll('*')) {
      for (const a of [...n.attributes]) {
        if (a.name === 'id' || !a.value.includes('#')) continue;
        const v = a.value.replace(/#([A-Za-z_][\w.-]*)/g, (m, id) => (ids.has(id) ? `#${prefix}${id}` : m));
        if (v !== a.value) n.setAttribute(a.name, v);
      }
    }
  }
  for (const a of el.querySelectorAll('a[href]')) {
    const href = a.getAttribute('href');
    if (/^[\w.-]+$/.test(href)) a.href = `/api/file?${new URLSearchParams({ profile: col.profile, stage, file: href })}`;
  }
}

async function renderStages(col) {
  const container = $('.stages', col.el);
  for (const s of col.view.stages) {
    let card = container.querySelector(`.stage-card[data-stage="${CSS.escape(s.stage)}"]`);
    if (!card) {
      card = document.createElement('section');
      card.className = 'card stage-card';
      card.dataset.stage = s.stage;
      card.innerHTML = '<div class="stage-head"></div><div class="section"></div>';
      container.append(card);
    }
    const t = s.trials;
    $('.stage-head', card).innerHTML = `<b>${esc(s.stage)}</b> <span class="kind">${esc(s.kind)}</span> <span class="state ${esc(s.state)}">${esc(STATE_TEXT[s.state] ?? s.state)}</span>
      <small>${[t ? `${t.stored}/${t.total} trials stored` : '', s.reason ? esc(s.reason) : '', s.resultTime ? `result of ${new Date(s.resultTime).toLocaleString()}` : 'no result yet'].filter(Boolean).join(' · ')}</small>`;
    card.classList.toggle('empty', s.resultTime === null);
    if (s.stage === 'data') continue; // the report's Data section is the study's, not a stage's
    // The section depends on this result and the ones before it (file names): asked again when any changes.
    const stamp = col.view.stages.slice(0, col.view.stages.indexOf(s) + 1).map((x) => `${x.resultTime}:${x.state}`).join('|');
    if (col.stages.get(s.stage) === stamp) continue;
    let section;
    try {
      section = await getJson(`/api/section?${new URLSearchParams({ profile: col.profile, stage: s.stage })}`);
    } catch (err) {
      // Being replaced, or broken: say so, and look again at the next change.
      col.stages.delete(s.stage);
      $('.section', card).innerHTML = `<div class="banner problem">The section could not be rendered just now (${esc(err.message)}); looking again shortly.</div>`;
      continue;
    }
    col.stages.set(s.stage, stamp);
    const box = $('.section', card);
    if (section.html === undefined) {
      box.innerHTML = `<p class="muted">No section: ${esc(section.none)}.</p>`;
      continue;
    }
    box.innerHTML = section.html;
    if (section.conclusions) {
      // The report lists them under Conclusions at its top; here they open the stage's section.
      const c = document.createElement('div');
      c.className = 'conclusions';
      c.innerHTML = section.conclusions;
      box.querySelector('h2')?.after(c);
    }
    adopt(box, col, s.stage);
  }
  for (const card of container.querySelectorAll('.stage-card')) if (!col.view.stages.some((s) => s.stage === card.dataset.stage)) card.remove();
}

// ---- the trial table ---------------------------------------------------------------------------

let filterTimer;
async function refreshTrials(col) {
  const q = new URLSearchParams({ profile: col.profile, page: String(col.table.page), size: String(col.table.size) });
  if (col.table.sort) q.set('sort', col.table.sort);
  if (col.table.desc) q.set('desc', '1');
  for (const [k, v] of Object.entries(col.table.filters)) if (v) q.set(`f.${k}`, v);
  let page;
  try {
    page = await getJson(`/api/trials?${q}`);
  } catch (err) {
    $('.trials .count', col.el).textContent = `could not be read just now (${err.message})`;
    return;
  }
  col.table.page = page.page;
  const box = $('.trials', col.el);
  const names = page.columns.join('|');
  if (names !== col.table.columns) {
    col.table.columns = names;
    $('thead', box).innerHTML = `<tr>${page.columns.map((c) => `<th class="sortable" data-col="${esc(c)}">${esc(c)}<span class="arrow"></span></th>`).join('')}</tr>
      <tr class="filters">${page.columns.map((c) => `<th><input data-col="${esc(c)}" placeholder="filter" value="${esc(col.table.filters[c] ?? '')}" title="text, =x, >x, >=x, <x, <=x"></th>`).join('')}</tr>`;
    for (const th of box.querySelectorAll('th.sortable')) {
      th.addEventListener('click', () => {
        const c = th.dataset.col;
        col.table.desc = col.table.sort === c ? !col.table.desc : false;
        col.table.sort = c;
        refreshTrials(col);
      });
    }
    for (const input of box.querySelectorAll('thead input')) {
      input.addEventListener('input', () => {
        col.table.filters[input.dataset.col] = input.value;
        col.table.page = 0;
        clearTimeout(filterTimer);
        filterTimer = setTimeout(() => refreshTrials(col), 250);
      });
    }
  }
  for (const th of box.querySelectorAll('th.sortable')) {
    $('.arrow', th).textContent = col.table.sort === th.dataset.col ? (col.table.desc ? ' ▾' : ' ▴') : '';
  }
  $('tbody', box).innerHTML = page.rows.map((r) => `<tr>${page.columns.map((c) => {
    if (c === 'state') return `<td class="state-${esc(String(r[c]).replace(/\s+/g, '-'))}">${esc(r[c])}</td>`;
    return r[c] === null || r[c] === undefined ? '<td></td>' : cell(r[c]);
  }).join('')}</tr>`).join('');
  const pages = Math.max(1, Math.ceil(page.matched / page.size));
  $('.count', box).textContent = `${page.matched} of ${page.total} shown by the filters; sorted and paged on the server`;
  $('.where', box).textContent = `page ${page.page + 1} of ${pages}`;
  box.querySelector('[data-go="-1"]').disabled = page.page === 0;
  box.querySelector('[data-go="1"]').disabled = page.page + 1 >= pages;
}

// ---- refreshing ----------------------------------------------------------------------------------

async function refreshStudy(col) {
  try {
    col.view = await getJson(`/api/study?profile=${encodeURIComponent(col.profile)}`);
  } catch (err) {
    $('.summary', col.el).innerHTML = `<h2 class="profile-title">Profile <code>${esc(col.profile)}</code></h2><div class="banner problem">${esc(err.message)}; looking again shortly.</div>`;
    return false;
  }
  renderSummary(col);
  renderGraph(col);
  renderRunning(col);
  renderLiveCurves(col);
  await renderStages(col);
  return true;
}

function throttled(f, ms) {
  let last = 0;
  let timer;
  return () => {
    const wait = last + ms - Date.now();
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      last = Date.now();
      f();
    }, Math.max(0, wait));
  };
}

const onProgress = throttled(() => {
  for (const col of columns) {
    refreshStudy(col);
    refreshTrials(col);
  }
}, 400);

let events;
function listen() {
  events?.close();
  const live = $('#live');
  const q = new URLSearchParams();
  for (const c of columns) q.append('profile', c.profile);
  events = new EventSource(`/api/events?${q}`);
  events.addEventListener('hello', () => {
    live.className = 'on';
    live.textContent = 'live';
  });
  events.addEventListener('progress', onProgress);
  events.addEventListener('study', (e) => {
    const { profile } = JSON.parse(e.data);
    for (const col of columns) if (col.profile === profile) {
      refreshStudy(col);
      refreshTrials(col);
    }
  });
  events.onerror = () => {
    live.className = 'off';
    live.textContent = 'reconnecting…';
  };
}

async function show(profile, compare) {
  const main = $('#columns');
  main.innerHTML = '';
  columns.length = 0;
  for (const p of compare && compare !== profile ? [profile, compare] : [profile]) {
    const col = newColumn(p);
    columns.push(col);
    main.append(col.el);
  }
  main.classList.toggle('two', columns.length === 2);
  const q = new URLSearchParams({ profile });
  if (columns.length === 2) q.set('compare', compare);
  history.replaceState(null, '', `?${q}`);
  listen();
  await Promise.all(columns.map(async (c) => {
    await refreshStudy(c);
    await refreshTrials(c);
  }));
}

async function start() {
  const t0 = performance.now();
  const { profiles, profile: served } = await getJson('/api/profiles');
  const profile = profiles.includes(params.get('profile')) ? params.get('profile') : served;
  const compare = profiles.includes(params.get('compare')) ? params.get('compare') : '';
  const pick = $('#profile');
  const other = $('#compare');
  pick.innerHTML = profiles.map((p) => `<option${p === profile ? ' selected' : ''}>${esc(p)}</option>`).join('');
  other.innerHTML = `<option value="">—</option>${profiles.map((p) => `<option${p === compare ? ' selected' : ''}>${esc(p)}</option>`).join('')}`;
  const change = () => show(pick.value, other.value);
  pick.addEventListener('change', change);
  other.addEventListener('change', change);
  await show(profile, compare);
  // When the first complete view is on screen (read by the spec and the load-time measurement).
  window.bnlabReadyMs = performance.now() - t0;
  document.body.dataset.ready = '1';
}

start().catch((err) => {
  console.error(err.stack);
  $('#columns').innerHTML = `<div class="card"><div class="banner failed">${esc(err.message)}</div></div>`;
});
