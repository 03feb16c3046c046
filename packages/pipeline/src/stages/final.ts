// final: the fine stage's best λ, each net trained with every seed on the final preparation (all the
// training data but a small validation set); mean ± sample std of the accuracies.
import type { DataStageResult, FinalStageResult, FineStageResult } from '@bnlab/report';
import { meanStd } from './aggregate.js';
import { stageHeader, type StageEnv } from './context.js';
import { recordOf, type PlannedStage } from './stage.js';
import { makeTrial, netLabel, netSpec, preparation } from './trials.js';

export function planFinal(env: StageEnv, data: DataStageResult, fine: FineStageResult): PlannedStage<FinalStageResult> {
  const s = env.study.stages.final;
  const prep = preparation(data, s.preparation);
  const lambda = fine.best.lambda;
  const groups = s.nets.map((net) => {
    const spec = netSpec(net, s.training.init);
    const name = netLabel(net);
    const trials = s.seeds.map((seed) => makeTrial(env, prep, spec, s.training, lambda, seed, `final ${name} seed ${seed}`));
    return { name, net: spec, trials };
  });
  return {
    trials: groups.flatMap((g) => g.trials),
    aggregate: (records) => ({
      ...stageHeader(env, 'final'),
      stage: 'final',
      lambda,
      cycles: s.training.cycles,
      groups: groups.map((g) => {
        const runs = g.trials.map((t, i) => {
          const r = recordOf(records, t).result;
          return { seed: s.seeds[i], hash: t.hash, accuracy: r.accuracy, diverged: r.diverged };
        });
        return { name: g.name, net: g.net, runs, ...meanStd(runs.map((r) => r.accuracy)) };
      }),
    }),
  };
}
