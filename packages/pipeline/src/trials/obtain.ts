// Gets every trial a stage needs: reused from the store when there, trained through the executor
// when not. Each finished record is written the moment it arrives, so an interruption loses at most
// the trials in flight. A per-trial lock keeps two processes from training the same trial at once: a
// trial locked by another live process is waited for and then read from the store.
import type { TrialEvents, TrialExecutor, TrialProgress, TrialRecord, TrialSpec } from './executor.js';
import { lockHolder, lockPath, tryLock, unlock } from './lock.js';
import { readRecord, sweepStore, writeRecord } from './store.js';

/** What a progress view is told, beyond the executor's own events. */
export interface ObtainView {
  /** Counts once the store has been read: `stored` reused, `missing` to train. */
  planned(total: number, stored: number, missing: number): void;
  started(spec: TrialSpec, where: string): void;
  progress(spec: TrialSpec, p: TrialProgress): void;
  finished(record: TrialRecord, spec: TrialSpec): void;
  /** Trials another process is training; checked again every second. */
  waiting(specs: TrialSpec[], holder: string): void;
}

export interface ObtainOptions {
  dir: string;
  executor: TrialExecutor;
  signal: AbortSignal;
  /** Stop after this many new trials (undefined: no limit). */
  maxNew?: number;
  view: ObtainView;
  warn: (msg: string) => void;
  /** How often to look again at trials locked by another process (ms). */
  pollMs?: number;
}

export interface Obtained {
  /** Records by hash, for every trial found or trained. */
  records: Map<string, TrialRecord>;
  reused: number;
  trained: number;
  /** Every requested trial has a record (false when --max-trials stopped the run). */
  complete: boolean;
}

export async function obtainTrials(requested: readonly TrialSpec[], opts: ObtainOptions): Promise<Obtained> {
  const specs = uniqueByHash(requested);
  const swept = sweepStore(opts.dir);
  if (swept > 0) opts.warn(`trial store: removed ${swept} temp file${swept === 1 ? '' : 's'} of killed writes from ${opts.dir}`);
  const records = new Map<string, TrialRecord>();
  for (const s of specs) {
    const r = readRecord(opts.dir, s.hash, opts.warn);
    if (r) records.set(s.hash, r);
  }
  const reused = records.size;
  let missing = specs.filter((s) => !records.has(s.hash));
  opts.view.planned(specs.length, reused, missing.length);
  let budget = opts.maxNew ?? Infinity;
  let trained = 0;

  while (missing.length > 0 && budget > 0) {
    opts.signal.throwIfAborted();
    const mine: TrialSpec[] = [];
    const theirs: TrialSpec[] = [];
    let holder = '';
    for (const s of missing) {
      if (mine.length >= budget) break;
      if (!tryLock(opts.dir, s.hash)) {
        theirs.push(s);
        holder ||= lockHolder(lockPath(opts.dir, s.hash)) ?? 'another process';
        continue;
      }
      // It may have been finished by the process that just released the lock.
      const r = readRecord(opts.dir, s.hash, opts.warn);
      if (r) {
        unlock(opts.dir, s.hash);
        records.set(s.hash, r);
      } else {
        mine.push(s);
      }
    }
    if (mine.length > 0) {
      const byHash = new Map(mine.map((s) => [s.hash, s]));
      const events: TrialEvents = {
        started: (hash, where) => opts.view.started(byHash.get(hash)!, where),
        progress: (hash, p) => opts.view.progress(byHash.get(hash)!, p),
        finished: (record) => {
          const spec = byHash.get(record.hash);
          if (!spec) throw new Error(`executor ${opts.executor.name} returned trial ${record.hash}, which was not asked for`);
          writeRecord(opts.dir, record);
          unlock(opts.dir, record.hash);
          records.set(record.hash, record);
          trained++;
          opts.view.finished(record, spec);
        },
      };
      const before = trained;
      try {
        await opts.executor.run(mine, events, opts.signal);
      } finally {
        for (const s of mine) if (!records.has(s.hash)) unlock(opts.dir, s.hash);
      }
      const lost = mine.filter((s) => !records.has(s.hash));
      // An executor must finish every trial it accepted or reject; anything else would loop forever.
      if (lost.length > 0 && trained === before) {
        throw new Error(`executor ${opts.executor.name} finished without ${lost.length} of its trials (first: ${lost[0].label})`);
      }
      budget -= mine.length;
    } else if (theirs.length > 0) {
      opts.view.waiting(theirs, holder);
      await sleep(opts.pollMs ?? 1000, opts.signal);
      for (const s of theirs) {
        const r = readRecord(opts.dir, s.hash, opts.warn);
        if (r) records.set(s.hash, r);
      }
    }
    missing = missing.filter((s) => !records.has(s.hash));
  }
  return { records, reused, trained, complete: missing.length === 0 };
}

function uniqueByHash(specs: readonly TrialSpec[]): TrialSpec[] {
  const seen = new Map<string, TrialSpec>();
  for (const s of specs) if (!seen.has(s.hash)) seen.set(s.hash, s);
  return [...seen.values()];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
