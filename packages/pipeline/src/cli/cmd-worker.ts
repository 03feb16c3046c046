// bnlab worker: serves trials from the Redis queue until SIGTERM/SIGINT, then finishes the trials in
// flight and exits 0 (a second signal abandons them: another worker re-runs them after the stalled
// check). Prepares the study's data once (both preparations), shared by its trial threads.
import { intFlag, parseFlags, UsageError, type Command } from './command.js';
import { MAX_KERNEL_THREADS } from '@bnlab/engine';
import { MAX_DEFAULT_THREADS, spareThreads } from './cmd-train.js';
import { toTransferable, type PreparedDataset } from '../data/index.js';
import { checkRedis, parseQueueUrl } from '../queue/connection.js';
import { startQueueWorker } from '../queue/worker.js';
import { dataKey, prepare, preparationData, PREPARATIONS } from '../stages/data.js';
import { openStudy } from '../stages/workspace.js';

const HELP = `Usage: bnlab worker --queue URL [--concurrency N] [--threads N] [--config FILE] [-c|--profile NAME]

Serves trials from a Redis queue (BullMQ) for \`bnlab run\` on any machine: start one per machine
that has the project installed and the data present. Trains each trial it takes after checking that
its own data fingerprint and engine identity (with kernel id) are the trial's; a mismatch fails that
trial with both named. Prints one line per trial. SIGTERM or Ctrl-C: finish the trials in flight,
then exit 0; a second signal exits at once (another worker re-runs those trials within ~10 s).

Options:
  --queue URL         redis://host:port[/db] or a unix socket path (default: env BNLAB_QUEUE)
  --concurrency N     trials trained at once (default 1; use the cores you give it)
  --threads N         threads per trial sharing its large products (WebAssembly kernels; default:
                      the cores the trials leave, ⌊cores/concurrency⌋, at least 1, at most ${MAX_DEFAULT_THREADS};
                      any N gives the same numbers)
  --config FILE       the study file (default: experiments.yaml at the workspace root, which is
                      env BNLAB_WORKSPACE or the nearest directory above the cwd with nx.json)
  -c, --profile NAME  the profile whose data to prepare at start (default: env
                      NX_TASK_TARGET_CONFIGURATION, else 'default'). Trials of any other profile or
                      study carry their data preparation, which the worker prepares (and caches) when
                      one comes; data files that differ from the submitter's fail the trial, naming
                      both fingerprints
  -h, --help          show this help

Redis must run with --maxmemory-policy noeviction (and --appendonly yes for real use).`;

export const command: Command = {
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      queue: { type: 'string' },
      concurrency: { type: 'string' },
      threads: { type: 'string' },
      config: { type: 'string' },
      profile: { type: 'string', short: 'c' },
    }, 'worker');
    const url = values.queue ?? process.env.BNLAB_QUEUE;
    if (!url) throw new UsageError('worker: --queue URL is required (or set BNLAB_QUEUE)');
    const concurrency = intFlag(values.concurrency, 'concurrency', 1, 1);
    // the trials' kernel is not known yet: the processor runs one-thread kernels on one thread
    const threads = intFlag(values.threads, 'threads', spareThreads(concurrency), 1, MAX_KERNEL_THREADS);
    await checkRedis(parseQueueUrl(url)); // before preparing data: an unreachable server fails at once
    const env = openStudy({ profile: values.profile, config: values.config });
    const study = env.study;
    const log = (line: string) => process.stderr.write(`${line}\n`);

    // Both preparations, once: the trial threads share them (SharedArrayBuffer), and a data set that
    // is missing or broken here is one error at start, not a failure per trial.
    const prepared: Record<string, PreparedDataset> = {};
    for (const name of PREPARATIONS) prepared[name] = await prepare(env, name, (line) => log(`bnlab: ${line}`));
    const describe: Record<string, string> = {};
    const keys = Object.fromEntries(PREPARATIONS.map((name) => [name, dataKey(preparationData(study, name))]));
    for (const [name, d] of Object.entries(prepared)) {
      describe[name] = `${d.dataset}, ${d.splits.train} training / ${d.splits.validation} validation images, profile ${study.profile}`;
    }
    // The signal handlers go in before the worker can take a job: a SIGTERM that arrived while it was
    // starting (it may already hold a job) used to kill it outright, leaving the job active until its
    // lock expired, with no worker left to finish it.
    let signals = 0;
    let onStarted: (() => void) | undefined;
    let settle: (code: number) => void = () => {};
    const done = new Promise<number>((resolve) => {
      settle = resolve;
    });
    let worker: Awaited<ReturnType<typeof startQueueWorker>> | undefined;
    const finish = (code: number) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      settle(code);
    };
    const act = (sig: NodeJS.Signals, w: NonNullable<typeof worker>) => {
      if (signals === 1) {
        log(`${sig}: finishing the trials in flight, then exiting (send it again to stop now)`);
        w.stop().then(() => { log('worker stopped'); finish(0); }, (err: Error) => { log(`stop failed: ${err.message}`); finish(1); });
      } else {
        log(`${sig}: stopping now; the trials in flight go back to the queue`);
        w.stop(true).finally(() => finish(sig === 'SIGINT' ? 130 : 143));
      }
    };
    function onSignal(sig: NodeJS.Signals): void {
      signals++;
      if (worker) act(sig, worker);
      else onStarted = () => act(sig, worker!);
    }
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    worker = await startQueueWorker({
      url,
      concurrency,
      threads,
      datasets: Object.fromEntries(Object.entries(prepared).map(([k, d]) => [k, toTransferable(d)])),
      describe,
      keys,
      workspace: env.workspace,
      log,
    });
    log(`bnlab worker ${worker.name}: serving ${url}, ${concurrency} trial${concurrency === 1 ? '' : 's'} at once on ${threads} thread${threads === 1 ? '' : 's'} each, profile ${study.profile}`);
    for (const [name, d] of Object.entries(prepared)) log(`  data '${name}': ${describe[name]}, fingerprint ${d.fingerprint}`);

    onStarted?.();
    return done;
  },
};
