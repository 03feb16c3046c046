// What `bnlab run` shows while a stage works: with a terminal, a listr2 view (the stage's title with
// its counts and ETA, one line per running trial: where, label, update/updates, epoch, validation
// accuracy, ETA); without one (stdout not a TTY, or CI set), plain lines, one per event worth a line.
import { Listr, type ListrTaskWrapper } from 'listr2';
import type { TrialProgress, TrialRecord, TrialSpec } from '../trials/executor.js';
import type { ObtainView } from '../trials/obtain.js';
import { STALE_MS } from '../trials/lock.js';

export interface StageView extends ObtainView {
  /** Runs `work` as stage `name` on the view; its result or error passes through. */
  stage<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** A line worth keeping (plain: printed; terminal: shown until the next). */
  info(line: string): void;
  /** The stage's closing line (its title once done). */
  summary(line: string): void;
  /** Estimated seconds of the study's work left outside this stage, so the ETA covers the whole study (null: unknown). */
  otherWork(seconds: number | null): void;
}

// A terminal without a width (the pseudo-terminal Nx runs a task in) would get listr's redraws one
// character per line: it gets plain lines too.
export function chooseView(env: NodeJS.ProcessEnv = process.env, tty = process.stdout.isTTY === true && (process.stdout.columns ?? 0) > 0): StageView {
  return tty && !isCi(env) ? listrView() : plainView((line) => process.stdout.write(`${line}\n`));
}

function isCi(env: NodeJS.ProcessEnv): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

interface Running {
  spec: TrialSpec;
  where: string;
  startedAt: number;
  p?: TrialProgress;
}

/** The counts both views show. */
interface Tally {
  total: number;
  stored: number;
  trained: number;
  /** Compute seconds of the trials trained so far. */
  seconds: number;
  running: Map<string, Running>;
  waitingFor: number;
}

function newTally(): Tally {
  return { total: 0, stored: 0, trained: 0, seconds: 0, running: new Map(), waitingFor: 0 };
}

const doneCount = (t: Tally) => t.stored + t.trained;

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const r = Math.round(s); // whole seconds first, so 359.6 s is 6m00s, not 5m60s
  if (r < 60) return `${r}s`;
  if (r < 3600) return `${Math.floor(r / 60)}m${String(r % 60).padStart(2, '0')}s`;
  return `${Math.floor(r / 3600)}h${String(Math.floor((r % 3600) / 60)).padStart(2, '0')}m`;
}

function percent(x: number | undefined): string {
  return x === undefined ? '–' : `${(100 * x).toFixed(1)}%`;
}

function trialLine(r: Running, now: number): string {
  const p = r.p;
  if (!p) return `${r.where}: ${r.spec.label} · starting`;
  const elapsed = (now - r.startedAt) / 1000;
  const eta = p.update > 0 ? (elapsed * (p.updates - p.update)) / p.update : NaN;
  return `${r.where}: ${r.spec.label} · update ${p.update}/${p.updates} · epoch ${p.epoch.toFixed(1)} · val ${percent(p.validationAccuracy)} · ETA ${formatSeconds(eta)}`;
}

/** The stage's ETA from its own trials so far, and the study's (the rest estimated by the cost model). */
export function etaText(t: Tally, other: number | null): string | undefined {
  const left = t.total - doneCount(t);
  if (t.trained === 0 || left <= 0) return other ? `study ETA ${formatSeconds(other)}` : undefined;
  const eta = ((t.seconds / t.trained) * left) / Math.max(1, t.running.size);
  return `ETA ${formatSeconds(eta)}${other === null ? '' : `, study ETA ${formatSeconds(eta + other)}`}`;
}

function stageTitle(name: string, t: Tally, other: number | null): string {
  const parts = [`${name}: ${doneCount(t)}/${t.total} trials${t.total > 0 ? ` (${t.stored} stored, ${t.trained} trained)` : ''}`];
  if (t.running.size > 0) parts.push(`${t.running.size} running`);
  if (t.waitingFor > 0) parts.push(`${t.waitingFor} locked by another process`);
  const eta = etaText(t, other);
  if (eta) parts.push(eta);
  return parts.join(', ');
}

export function plainView(write: (line: string) => void): StageView {
  let name = '';
  let t = newTally();
  let other: number | null = null;
  const counter = () => `[${doneCount(t)}/${t.total}]`;
  return {
    async stage(stageName, work) {
      name = stageName;
      t = newTally();
      write(`${name}: started`);
      return work();
    },
    info: (line) => write(`${name}: ${line}`),
    summary: (line) => write(line),
    otherWork(seconds) {
      other = seconds;
    },
    planned(total, stored, missing) {
      t.total = total;
      t.stored = stored;
      if (total > 0) write(`${name}: ${total} trials, ${stored} stored, ${missing} to train`);
    },
    started(spec, where) {
      t.running.set(spec.hash, { spec, where, startedAt: Date.now() });
      write(`${name}: ${counter()} started ${spec.label} on ${where}`);
    },
    progress(spec, p) {
      const r = t.running.get(spec.hash);
      if (r) r.p = p;
    },
    finished(record, spec) {
      t.running.delete(spec.hash);
      t.trained++;
      t.seconds += record.meta.computeSeconds;
      const r = record.result;
      const eta = etaText(t, other);
      write(
        `${name}: ${counter()} done ${spec.label} on ${record.meta.worker}: val ${percent(r.accuracy.validation)}` +
          `${r.diverged ? ' (diverged)' : ''} in ${formatSeconds(record.meta.computeSeconds)}${eta ? ` · ${eta}` : ''}`,
      );
    },
    waiting(specs, holder) {
      if (t.waitingFor !== specs.length) write(`${name}: waiting for ${specs.length} trials locked by ${holder} (taken over if its lock is not refreshed for ${STALE_MS / 1000} s)`);
      t.waitingFor = specs.length;
    },
  };
}

export function listrView(): StageView {
  let t = newTally();
  let other: number | null = null;
  let task: ListrTaskWrapper<unknown, never, never> | undefined;
  let name = '';
  let note = '';
  let closing: string | undefined;
  let last = 0;
  const refresh = (force = false) => {
    const now = Date.now();
    if (!task || (!force && now - last < 200)) return;
    last = now;
    task.title = stageTitle(name, t, other);
    const lines = [...t.running.values()].map((r) => trialLine(r, now));
    if (note) lines.unshift(note);
    task.output = lines.join('\n');
  };
  return {
    async stage(stageName, work) {
      name = stageName;
      t = newTally();
      note = '';
      closing = undefined;
      let result: Awaited<ReturnType<typeof work>> | undefined;
      const list = new Listr(
        [
          {
            title: name,
            task: async (_ctx, w) => {
              task = w as unknown as ListrTaskWrapper<unknown, never, never>;
              const timer = setInterval(() => refresh(true), 1000);
              try {
                result = await work();
              } finally {
                clearInterval(timer);
                task = undefined;
              }
              w.output = '';
              w.title = closing ?? `${name}: done`;
            },
            rendererOptions: { outputBar: true, persistentOutput: false },
          },
        ],
        { registerSignalListeners: false, exitOnError: true, rendererOptions: { showErrorMessage: false, collapseErrors: true } },
      );
      await list.run();
      return result as Awaited<ReturnType<typeof work>>;
    },
    info(line) {
      note = line;
      refresh(true);
    },
    summary(line) {
      closing = line;
    },
    otherWork(seconds) {
      other = seconds;
    },
    planned(total, stored) {
      t.total = total;
      t.stored = stored;
      refresh(true);
    },
    started(spec, where) {
      t.running.set(spec.hash, { spec, where, startedAt: Date.now() });
      refresh();
    },
    progress(spec, p) {
      const r = t.running.get(spec.hash);
      if (r) r.p = p;
      refresh();
    },
    finished(record: TrialRecord, spec: TrialSpec) {
      t.running.delete(spec.hash);
      t.trained++;
      t.seconds += record.meta.computeSeconds;
      refresh(true);
    },
    waiting(specs) {
      t.waitingFor = specs.length;
      refresh(true);
    },
  };
}
