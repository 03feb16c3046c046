// curves: every net, each trained with every seed at the default λ; full histories.
import type { CurvesStageResult, DataStageResult } from '@bnlab/report';
import type { StageEnv } from './context.js';
import { stageHeader } from './context.js';
import { recordOf, type PlannedStage } from './stage.js';
import { makeTrial, netLabel, netSpec, preparation } from './trials.js';

export function planCurves(env: StageEnv, data: DataStageResult): PlannedStage<CurvesStageResult> {
  const s = env.study.stages.curves;
  const prep = preparation(data, 'main');
  const groups = s.nets.map((net) => {
    const spec = netSpec(net, s.training.init);
    const name = netLabel(net);
    const trials = s.seeds.map((seed) => makeTrial(env, prep, spec, s.training, s.training.lambda, seed, `curves ${name} seed ${seed}`));
    return { name, net: spec, trials };
  });
  return {
    trials: groups.flatMap((g) => g.trials),
    aggregate: (records) => ({
      ...stageHeader(env, 'curves'),
      stage: 'curves',
      groups: groups.map((g) => ({
        name: g.name,
        net: g.net,
        lambda: s.training.lambda,
        runs: g.trials.map((t, i) => ({ seed: s.seeds[i], hash: t.hash, result: recordOf(records, t).result })),
      })),
    }),
  };
}
