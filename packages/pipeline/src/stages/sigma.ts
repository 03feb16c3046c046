// sigma: σ × net × seed with every weight drawn from N(0, σ²) instead of He, same hyper-parameters.
import type { DataStageResult, SigmaStageResult } from '@bnlab/report';
import { stageHeader, type StageEnv } from './context.js';
import { recordOf, type PlannedStage } from './stage.js';
import { makeTrial, netLabel, netSpec, preparation } from './trials.js';

export function planSigma(env: StageEnv, data: DataStageResult): PlannedStage<SigmaStageResult> {
  const s = env.study.stages.sigma;
  const prep = preparation(data, 'main');
  const groups = s.sigmas.flatMap((sigma) =>
    s.nets.map((net) => {
      const spec = netSpec(net, { kind: 'normal', sigma });
      const name = `${netLabel(net)}, σ=${sigma}`;
      const trials = s.seeds.map((seed) => makeTrial(env, prep, spec, s.training, s.training.lambda, seed, `sigma ${name} seed ${seed}`));
      return { name, net: spec, sigma, trials };
    }),
  );
  return {
    trials: groups.flatMap((g) => g.trials),
    aggregate: (records) => ({
      ...stageHeader(env, 'sigma'),
      stage: 'sigma',
      groups: groups.map((g) => ({
        name: g.name,
        net: g.net,
        lambda: s.training.lambda,
        sigma: g.sigma,
        runs: g.trials.map((t, i) => ({ seed: s.seeds[i], hash: t.hash, result: recordOf(records, t).result })),
      })),
    }),
  };
}
