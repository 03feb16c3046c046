// bnlab run <stage>: runs one stage of the study (what each Nx target calls).
import { availableParallelism } from 'node:os';
import { isStageName, stageNames } from '../config/index.js';
import { dataConflict } from '../stages/data-guard.js';
import { studyAround } from '../stages/estimate.js';
import { chooseView } from '../stages/progress.js';
import { isTrainingStage } from '../stages/run-stage.js';
import { runStage, type StageOutcome } from '../stages/run-stage.js';
import path from 'node:path';
import { openStudy } from '../stages/workspace.js';
import { stageHeadline } from '../stages/explore.js';
import { publishingView } from '../serve/progress-files.js';
import { checkStudyLimits } from '../stages/limits.js';
import { localExecutor } from '../trials/local-executor.js';
import { didYouMean } from '../config/errors.js';
import { BnlabError, intFlag, numberFlag, parseFlags, UsageError, type Command } from './command.js';
import { formatEstimate } from './cmd-plan.js';
import { spareThreads, threadsFlag } from './cmd-train.js';

const help = `Usage: bnlab run <stage> [-c|--profile NAME] [--config FILE] [--workers N] [--max-trials N]
                 [--kernel ID] [--threads N] [--queue URL] [--queue-timeout SECONDS] [--force]

Runs one stage of the study in experiments.yaml from its upstream stages' results, reusing every
trial already in the trial store (results/trials/, shared by every profile) and training the
missing ones on a pool of worker threads. Writes results/<profile>/<stage>/result.json (determined
by the configuration and the trial records alone) and timing.json beside it.

Stages: data (built in) and the stages experiments.yaml declares (bnlab plan lists them), or all
(every stage in order).
Each Nx target of the pipeline project calls this: npx nx run pipeline:<stage> -c <profile>.

Options:
  -c, --profile NAME  the profile (default: env NX_TASK_TARGET_CONFIGURATION, else 'default');
                      an unknown name is an error
  --config FILE       the study file (default: experiments.yaml at the workspace root, which is
                      env BNLAB_WORKSPACE or the nearest directory above the cwd with nx.json)
  --workers N         local worker threads (default: the study's executor.workers, else one per core)
  --max-trials N      stop after N new trials: no result.json is written and the exit code is 3;
                      the next run trains only what is still missing
  --kernel ID         train with this kernel instead of the study's (changes every trial's hash)
  --threads N         threads per local worker sharing each large product (WebAssembly kernels;
                      default: the cores the workers leave, ⌊cores/workers⌋, at least 1, at most 4;
                      any N gives the same numbers)
  --queue URL         train on \`bnlab worker\` processes through Redis (default: the study's
                      executor, or env BNLAB_QUEUE); a few seconds after queueing, and every
                      15 s, a status line says how many workers serve the queue and how many
                      trials run and wait ("no worker is serving the queue" when none)
  --queue-timeout S   give up after S seconds with trials not done: exit 4, saying what is left
                      (finished trials are stored, unstarted jobs withdrawn; default: wait)
  --force             run the data stage even though the data differs from the profile's
                      results/<profile>/data/result.json (same configuration, other fingerprints):
                      without it that is an error before any work (env BNLAB_FORCE=1 does the same,
                      for nx run)
  -h, --help          show this help

Exit codes: 0 done, 1 error (a crashed trial, a failed gradient check, bad input, other data
without --force), 3 stopped by --max-trials, 4 --queue-timeout ran out, 130 interrupted (Ctrl-C:
finished trials are kept; a second Ctrl-C kills at once;
SIGTERM likewise, exit 143).`;

export const command: Command = {
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        profile: { type: 'string', short: 'c' },
        config: { type: 'string' },
        workers: { type: 'string' },
        threads: { type: 'string' },
        'max-trials': { type: 'string' },
        kernel: { type: 'string' },
        queue: { type: 'string' },
        'queue-timeout': { type: 'string' },
        force: { type: 'boolean' },
      },
      'run',
      true,
    );
    if (positionals.length !== 1) throw new UsageError(`run: expected one stage (or all), got ${positionals.length} (see bnlab run --help)`);
    const target = positionals[0];
    const maxTrials = values['max-trials'] === undefined ? undefined : intFlag(values['max-trials'], 'max-trials', 0, 1);
    const env = openStudy({ profile: values.profile, config: values.config, kernel: values.kernel });
    const names = stageNames(env.study);
    if (target !== 'all' && !isStageName(env.study, target)) {
      throw new UsageError(`run: unknown stage '${target}'${didYouMean(target, names)} (stages: ${names.join(', ')}, all)`);
    }
    checkStudyLimits(env.study, path.relative(process.cwd(), env.configFile) || env.configFile);
    const workers = intFlag(values.workers, 'workers', env.study.workers ?? availableParallelism(), 1);
    const threadsPerWorker = threadsFlag(values.threads, env.kernel, spareThreads(workers));
    const queueUrl = values.queue ?? (env.study.executor.kind === 'queue' ? env.study.executor.url : undefined) ?? process.env.BNLAB_QUEUE;
    const queueTimeout = values['queue-timeout'] === undefined ? undefined : numberFlag(values['queue-timeout'], 'queue-timeout', 0);
    if (queueTimeout !== undefined && !(queueTimeout > 0)) throw new UsageError(`--queue-timeout: '${values['queue-timeout']}' must be a number of seconds > 0`);
    if (queueTimeout !== undefined && !queueUrl) throw new UsageError('--queue-timeout: only with a queue (--queue URL, env BNLAB_QUEUE or executor.kind: queue)');
    const stages = target === 'all' ? names : [target];

    // First Ctrl-C (or SIGTERM): start no more trials, keep the finished ones, exit 130 (143). Second: exit now.
    const interrupt = new AbortController();
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      const code = sig === 'SIGTERM' ? 143 : 130;
      signals++;
      if (signals === 1) {
        process.stderr.write(`\nbnlab: ${sig}: stopping (finished trials are kept; again to kill)\n`);
        interrupt.abort(new BnlabError('interrupted', code));
      } else {
        process.exit(code);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Also published to .bnlab/progress/ for `bnlab serve`.
    const view = publishingView(chooseView(), { workspace: env.workspace, profile: env.study.profile });
    const warn = (line: string) => process.stderr.write(`bnlab: ${line}\n`);
    if (stages.includes('data') && !values.force && process.env.BNLAB_FORCE !== '1') {
      const conflict = await dataConflict(env, warn);
      if (conflict) throw new BnlabError(conflict);
    }
    try {
      let budget = maxTrials;
      for (const stage of stages) {
        let outcome: StageOutcome;
        if (stage !== 'data' && isTrainingStage(env, stage)) {
          // The whole study's ETA, from the cost model for the other stages (this one times itself as it goes).
          const around = studyAround(env, stage, { workers, threads: threadsPerWorker });
          if (around.study.seconds) process.stdout.write(`${stage}: study ${formatEstimate(around.study)}\n`);
          view.otherWork(around.other);
        }
        try {
          // The queue (BullMQ) loads only when used: seconds of start-up otherwise.
          {
            outcome = await runStage(stage, {
              env,
              view,
              signal: interrupt.signal,
              maxTrials: budget,
              workers: queueUrl ? 0 : workers,
              warn,
              print: (line) => process.stdout.write(`${line}\n`),
              makeExecutor: async (datasets) =>
                queueUrl
                  ? (await import('../queue/queue-executor.js')).createQueueExecutor(queueUrl, {
                      onStatus: warn,
                      timeoutMs: queueTimeout === undefined ? undefined : queueTimeout * 1000,
                    })
                  : localExecutor({ workers, threadsPerWorker, kernelId: env.kernel, datasets }),
            });
          }
        } catch (err) {
          if (interrupt.signal.aborted) throw interrupt.signal.reason;
          throw err;
        }
        if (outcome.kind === 'check-failed') throw new BnlabError(outcome.message);
        if (outcome.kind === 'incomplete') {
          process.stderr.write(
            `bnlab: ${stage}: stopped after ${outcome.trained} new trial${outcome.trained === 1 ? '' : 's'} (--max-trials ${maxTrials}); ` +
              `${outcome.stored}/${outcome.total} stored, no result written\n`,
          );
          return 3;
        }
        if (budget !== undefined) budget -= outcome.trained;
        if (stage !== 'data' && isTrainingStage(env, stage)) {
          const headline = stageHeadline(env, stage);
          if (headline !== undefined) process.stdout.write(`${stage}: ${headline}\n`);
        }
      }
      return 0;
    } catch (err) {
      if (interrupt.signal.aborted && err === interrupt.signal.reason) {
        process.stderr.write('bnlab: interrupted\n');
        return (err as BnlabError).exitCode;
      }
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
