// A training stage, planned: the trials it needs and how it turns their records into its result.
import type { TrialRecord, TrialSpec } from '../trials/executor.js';

export interface PlannedStage<R> {
  trials: TrialSpec[];
  /** Aggregates ONLY the records' `result` parts (never meta), in a fixed order. */
  aggregate(records: ReadonlyMap<string, TrialRecord>): R;
}

export function recordOf(records: ReadonlyMap<string, TrialRecord>, spec: TrialSpec): TrialRecord {
  const r = records.get(spec.hash);
  if (!r) throw new Error(`trial ${spec.label} (${spec.hash}) has no record`);
  return r;
}

export type StageOutcome =
  | { kind: 'done'; file: string; trained: number }
  | { kind: 'incomplete'; trained: number; stored: number; total: number }
  | { kind: 'check-failed'; message: string };
