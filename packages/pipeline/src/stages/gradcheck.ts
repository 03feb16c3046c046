// gradcheck: the engine's gradient check (float64, centred differences, training-mode cost) of every
// configured net on the real prepared data: the first `dims` dimensions of the first `samples`
// training images. Runs in-process (it is small). Returns the result and the table to print; the
// runner fails the stage when any error exceeds the threshold.
import { engineIdentity, gradcheck } from '@bnlab/engine';
import type { GradcheckStageResult } from '@bnlab/report';
import { BnlabError } from '../cli/command.js';
import type { PreparedDataset } from '../data/index.js';
import { stageHeader, type StageEnv } from './context.js';
import { netLabel } from './trials.js';

/** The gradient check computes in float64 with the reference kernel, whatever kernel trials use. */
export const GRADCHECK_KERNEL = 'ts-f64';

export function gradcheckStage(env: StageEnv, data: PreparedDataset): { result: GradcheckStageResult; table: string[] } {
  const s = env.study.stages.gradcheck;
  if (s.dims > data.d) throw new BnlabError(`gradcheck: dims ${s.dims} > the data's ${data.d} dimensions`);
  if (s.samples > data.train.n) throw new BnlabError(`gradcheck: samples ${s.samples} > the ${data.train.n} training images`);
  // The first `dims` dimensions of the first `samples` training rows (rows are contiguous, d wide).
  const x = new Float64Array(s.samples * s.dims);
  for (let i = 0; i < s.samples; i++) for (let j = 0; j < s.dims; j++) x[i * s.dims + j] = data.train.x[i * data.d + j];
  const y = data.train.y.slice(0, s.samples);

  const nets = s.nets.map((net) => {
    const r = gradcheck({
      x, y, n: s.samples, d: s.dims, K: data.K,
      hidden: [...net.hidden], batchNorm: net.batchNorm, lambda: s.lambda, eps: s.eps, h: s.h, threshold: s.threshold, seed: s.seed,
    });
    return { name: netLabel(net), hidden: [...net.hidden], batchNorm: net.batchNorm, passed: r.passed, checks: r.checks };
  });
  const result: GradcheckStageResult = {
    ...stageHeader(env, 'gradcheck', GRADCHECK_KERNEL, engineIdentity(GRADCHECK_KERNEL)),
    stage: 'gradcheck',
    threshold: s.threshold,
    h: s.h,
    dims: s.dims,
    samples: s.samples,
    lambda: s.lambda,
    eps: s.eps,
    passed: nets.every((n) => n.passed),
    nets: nets.map(({ name: _name, ...rest }) => rest),
  };

  const table = [`gradient check: ${s.samples} images × ${s.dims} dims, λ = ${s.lambda}, ε = ${s.eps}, h = ${s.h}, threshold ${s.threshold}`];
  for (const n of nets) {
    table.push(`  ${n.name} [${n.hidden.join(', ')}]: ${n.passed ? 'passed' : 'FAILED'}`);
    for (const c of n.checks) {
      const over = c.relativeError > s.threshold ? `  > ${s.threshold}` : '';
      table.push(`    ${c.parameter.padEnd(5)} layer ${String(c.layer).padStart(2)}  ${c.relativeError.toExponential(3)}${over}`);
    }
  }
  return { result, table };
}
