// Trains one trial: the single function behind every executor (the local worker threads and
// `bnlab worker`). It refuses to compute anything but what the trial names: the kernel's engine
// identity must be the trial's, and the data's fingerprint the trial's.
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { engineIdentity, train, type Kernel, type TrainConfig } from '@bnlab/engine';
import type { PreparedDataset } from '../data/index.js';
import type { TrialProgress, TrialRecord, TrialSpec } from './executor.js';
import { identityOf } from './identity.js';
import { sealRecord } from './store.js';

/**
 * Runs `f`, turning a kernel's out-of-memory error (which speaks of the engine API's memoryBytes)
 * into one line naming what is too large and the setting that fixes it.
 */
export function withMemoryHint<T>(f: () => T, what: string, fix: string): T {
  try {
    return f();
  } catch (err) {
    const m = /alloc\(\d+\) needs (\d+) bytes but only (\d+) of its (\d+) reserved bytes are left/.exec((err as Error).message);
    if (!m) throw err;
    throw new Error(`${what} does not fit in the kernel's ${Math.round(Number(m[3]) / 2 ** 20)} MiB of memory; use ${fix}`);
  }
}

export function runTrial(
  spec: TrialSpec,
  dataset: PreparedDataset,
  kernel: Kernel,
  onProgress: (p: TrialProgress) => void,
  worker = `pid ${process.pid}`,
): TrialRecord {
  const engine = engineIdentity(kernel.id);
  if (engine !== spec.engine) {
    throw new Error(`engine mismatch: trial ${spec.label} needs ${spec.engine}, this worker (${worker}) computes with ${engine}`);
  }
  if (dataset.fingerprint !== spec.dataFingerprint) {
    throw new Error(
      `data mismatch: trial ${spec.label} needs '${spec.preparation}' data with fingerprint ${spec.dataFingerprint}, this worker (${worker}) has ${dataset.fingerprint}`,
    );
  }
  const t0 = performance.now();
  const config = spec.config as unknown as TrainConfig;
  const { result } = withMemoryHint(() => train(kernel, dataset, config, {
    onProgress: (p) => onProgress({ update: p.update, updates: p.updates, epoch: p.epoch, validationAccuracy: p.validationAccuracy, point: p.point }),
  }), `trial ${spec.label}: net [${config.hidden.join(', ')}] with batch ${config.batch}`, 'narrower layers in defaults.nets, or a smaller training.batch');
  const computeSeconds = (performance.now() - t0) / 1000;
  return sealRecord({
    hash: spec.hash,
    identity: identityOf(spec),
    // The engine keeps its own copy of the result type (it imports nothing); this assignment is
    // where the compiler checks it still fits the report's TrainResult contract.
    result,
    meta: { computeSeconds, host: hostname(), finishedAt: new Date().toISOString(), worker },
  });
}
