// coarse: λ = 10^u, u uniform in [exponentMin, exponentMax], one trial per draw (same trial seed, so
// trials differ only by λ); keeps the best by validation accuracy, diverged last.
import type { CoarseStageResult, DataStageResult } from '@bnlab/report';
import { rankTrials, searchTrial } from './aggregate.js';
import { stageHeader, type StageEnv } from './context.js';
import { coarseLambdas } from './search.js';
import { recordOf, type PlannedStage } from './stage.js';
import { fmtLambda, makeTrial, netSpec, preparation } from './trials.js';

export function planCoarse(env: StageEnv, data: DataStageResult): PlannedStage<CoarseStageResult> {
  const s = env.study.stages.coarse;
  const prep = preparation(data, 'main');
  const net = netSpec(s.net, s.training.init);
  const lambdas = coarseLambdas(s.exponentMin, s.exponentMax, s.samples, s.seed);
  const trials = lambdas.map((lambda, i) => makeTrial(env, prep, net, s.training, lambda, s.trialSeed, `coarse #${i + 1} λ=${fmtLambda(lambda)}`));
  return {
    trials,
    aggregate: (records) => {
      const all = trials.map((t, i) => searchTrial(lambdas[i], s.trialSeed, t.hash, recordOf(records, t).result));
      return {
        ...stageHeader(env, 'coarse'),
        stage: 'coarse',
        exponentMin: s.exponentMin,
        exponentMax: s.exponentMax,
        net,
        cycles: s.training.cycles,
        trials: all,
        best: rankTrials(all).slice(0, s.keep),
      };
    },
  };
}
