// fine: uniform draws within ±halfWidth of each of the coarse stage's best λs (clipped to the floor);
// the best trial over all centres.
import type { CoarseStageResult, DataStageResult, FineStageResult } from '@bnlab/report';
import { rankTrials, searchTrial } from './aggregate.js';
import { stageHeader, type StageEnv } from './context.js';
import { fineLambdas } from './search.js';
import { recordOf, type PlannedStage } from './stage.js';
import { fmtLambda, makeTrial, netSpec, preparation } from './trials.js';

export function planFine(env: StageEnv, data: DataStageResult, coarse: CoarseStageResult): PlannedStage<FineStageResult> {
  const s = env.study.stages.fine;
  const prep = preparation(data, 'main');
  const net = netSpec(s.net, s.training.init);
  const centres = coarse.best.map((t) => t.lambda);
  const draws = fineLambdas(centres, s.halfWidth, s.floor, s.samplesPerCentre, s.seed);
  const perCentre = draws.map((lambdas, c) =>
    lambdas.map((lambda, i) =>
      makeTrial(env, prep, net, s.training, lambda, s.trialSeed, `fine centre ${c + 1} #${i + 1} λ=${fmtLambda(lambda)}`),
    ),
  );
  return {
    trials: perCentre.flat(),
    aggregate: (records) => {
      const groups = centres.map((centre, c) => ({
        centre,
        trials: perCentre[c].map((t, i) => searchTrial(draws[c][i], s.trialSeed, t.hash, recordOf(records, t).result)),
      }));
      return {
        ...stageHeader(env, 'fine'),
        stage: 'fine',
        halfWidth: s.halfWidth,
        floor: s.floor,
        net,
        cycles: s.training.cycles,
        centres: groups,
        best: rankTrials(groups.flatMap((g) => g.trials))[0],
      };
    },
  };
}
