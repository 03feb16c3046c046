// bnlab train: one training run on the prepared data, with a progress bar on stderr; prints the final
// accuracies (or --json), and with --save writes the trained network and the data normalisation.
import { availableParallelism } from 'node:os';
import {
  MAX_KERNEL_THREADS, createKernel, defaultKernelId, engineIdentity, kernelIds, kernelCanThread, normalizeTrainConfig, nsFromEpochs, serializeModel, train,
  type Kernel, type NormalizedTrainConfig, type TrainConfig, type TrainingOption, type TrainResult,
} from '@bnlab/engine';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { checkWritable, intFlag, listFlag, nonNegative, numberFlag, parseFlags, UsageError, type Command } from './command.js';
import { withMemoryHint } from '../trials/run-trial.js';
import { dataFlags, dataOptions } from './cmd-data.js';
import { optionFlagSpecs, optionFlagValues, optionHelpLines, trainingOptions } from './option-flags.js';
import { prepareDataset, progressBar, type PreparedDataset } from '../data/index.js';

/** The default --threads: helper threads pay off only for large products; measured on 2 cores. */
export const MAX_DEFAULT_THREADS = 4;

/** Default threads per trial when `parallel` trials run at once: the cores they leave (1 to MAX_DEFAULT_THREADS). */
export function spareThreads(parallel: number): number {
  return Math.max(1, Math.min(MAX_DEFAULT_THREADS, Math.floor(availableParallelism() / parallel)));
}

/** Every training option is a flag of bnlab train. */
const OPTIONS = trainingOptions();

const help = `Usage: bnlab train [--dataset cifar10] [--hidden 50,50] [--batch-norm] [--ns-epochs 5 | --ns N]
                   [--init he | --sigma S] [--seed 1] [--kernel ID] [--threads N] [--save FILE] [--json]
                   [training options: --lambda L, --dropout P, --jitter-flip, … (below)]

Trains one network with mini-batch SGD and a cyclical learning rate on the prepared data (see
bnlab data), drawing a progress bar on stderr, and prints the final train/validation/test accuracy.
A run whose cost becomes NaN or infinite stops there and reports "diverged" with its last finite
figures (exit code 0: divergence is a result).

Options:
  --dataset NAME        cifar10 or fashion-mnist (default cifar10)
  --dir DIR             directory holding the data set's files (see bnlab data --help)
  --validation N        validation images: a count, or a fraction when 0 < N < 1 (default 0.1)
  --hidden LIST         hidden layer sizes, comma-separated; '' for none (default 50,50)
  --batch-norm          batch-normalise every hidden layer
  --ns-epochs K         half-cycle n_s = K·⌊n/batch⌋ updates (default 5)
  --ns N                half-cycle n_s in updates (instead of --ns-epochs)
  --init he             He initialisation, N(0, 2/fan_in) (the default)
  --sigma S             every weight N(0, S²) instead of He
  --seed N              seed of the initial weights, the shuffles, jitter and dropout (default 1)
  --kernel ID           compute kernel (default: the fastest available; see below)
  --threads N           threads sharing the large matrix products (WebAssembly kernels; default:
                        one per core, at most ${MAX_DEFAULT_THREADS}). Any N gives the same numbers.
  --save FILE           write the trained network, its configuration and the data normalisation
  --json                print {accuracy, cost, loss, history, diverged, config, engine} on stdout
  --help                show this help

Training options (the engine's option list; a negative value may follow its flag: --lambda -1 is
read as a value, and rejected by its range):
${optionHelpLines(OPTIONS).join('\n')}`;

/**
 * --threads for kernel `id`: the flag (1 to MAX_KERNEL_THREADS), else `fallback` for kernels that can
 * share their work, else 1; more than 1 for a kernel that cannot is a usage error.
 */
export function threadsFlag(value: string | undefined, id: string, fallback: number): number {
  const canThread = kernelCanThread(id);
  const threads = intFlag(value, 'threads', canThread ? fallback : 1, 1, MAX_KERNEL_THREADS);
  if (threads > 1 && !canThread) throw new UsageError(`--threads: kernel '${id}' computes on one thread (threads can share the WebAssembly kernels' products)`);
  return threads;
}

/**
 * A kernel by id (an unknown id is a usage error listing the known ones) with --threads threads, by
 * default one per core (at most MAX_DEFAULT_THREADS).
 */
export function kernelFromFlag(id: string | undefined, fallback = defaultKernelId(), threadsValue?: string): Kernel {
  const wanted = id ?? fallback;
  if (!kernelIds().includes(wanted)) throw new UsageError(`--kernel: '${wanted}' is not available here (known: ${kernelIds().join(', ')})`);
  return createKernel(wanted, { threads: threadsFlag(threadsValue, wanted, spareThreads(1)) });
}

/**
 * The training options' values from their flags; an option that needs batch norm set away from its
 * neutral value without --batch-norm is a usage error (it would do nothing).
 */
export function trainingOptionValues(options: readonly TrainingOption[], values: Record<string, string | boolean | undefined>, batchNorm: boolean): Record<string, unknown> {
  const v = optionFlagValues(options, values);
  for (const o of options) {
    if (o.needs === 'batchNorm' && o.neutral !== undefined && !batchNorm && v[o.name] !== o.neutral) {
      throw new UsageError(`--${o.flag}: ${String(v[o.name])} needs --batch-norm (${o.description})`);
    }
  }
  return v;
}

export interface SavedModelExtra {
  format: 'bnlab-model/1';
  config: NormalizedTrainConfig;
  data: { dataset: string; d: number; K: number; classes: string[]; splits: PreparedDataset['splits']; fingerprint: string };
  /** Per-dimension mean and std of the training pixels (scaled to [0, 1]) the inputs were standardised with. */
  normalisation: { mean: number[]; std: number[] };
  result: Pick<TrainResult, 'accuracy' | 'diverged'>;
}

export const command: Command = {
  get help() {
    return `${help}\n\nKernels here: ${kernelIds().join(', ')} (default ${defaultKernelId()})`;
  },
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...dataFlags,
        hidden: { type: 'string' },
        'batch-norm': { type: 'boolean' },
        ...optionFlagSpecs(OPTIONS),
        'ns-epochs': { type: 'string' },
        ns: { type: 'string' },
        init: { type: 'string' },
        sigma: { type: 'string' },
        seed: { type: 'string' },
        kernel: { type: 'string' },
        threads: { type: 'string' },
        save: { type: 'string' },
        json: { type: 'boolean' },
      },
      'train',
    );
    if (values.ns !== undefined && values['ns-epochs'] !== undefined) throw new UsageError('--ns and --ns-epochs exclude each other');
    if (values.sigma !== undefined && values.init !== undefined) throw new UsageError('--init and --sigma exclude each other');
    if (values.init !== undefined && values.init !== 'he') throw new UsageError(`--init: '${values.init}' is not an initialisation (he; or use --sigma S)`);
    const sigma = values.sigma === undefined ? undefined : numberFlag(values.sigma, 'sigma', 0);
    if (sigma !== undefined && !(sigma > 0)) throw new UsageError(`--sigma: ${values.sigma} must be positive`);
    const batchNorm = values['batch-norm'] === true;
    const settings = {
      hidden: listFlag(values.hidden, 'hidden', [50, 50]),
      batchNorm,
      init: sigma === undefined ? ({ kind: 'he' } as const) : ({ kind: 'normal', sigma } as const),
      seed: intFlag(values.seed, 'seed', 1, 0),
      ...trainingOptionValues(OPTIONS, values, batchNorm),
    } as Omit<TrainConfig, 'ns'>;
    const batch = settings.batch;
    const nsEpochs = intFlag(values['ns-epochs'], 'ns-epochs', 5, 1);
    const nsUpdates = values.ns === undefined ? undefined : intFlag(values.ns, 'ns', 0, 1);
    const kernel = kernelFromFlag(values.kernel, undefined, values.threads);

    // Before any work: a --save that cannot be written would otherwise fail after the training.
    if (values.save) checkWritable(path.resolve(values.save), '--save');
    const data = await prepareDataset(dataOptions(values, process.cwd(), process.env));
    for (const o of OPTIONS) {
      if (o.needs === 'image' && data.image === undefined && (settings as unknown as Record<string, unknown>)[o.name] !== o.neutral) {
        throw new UsageError(`--${o.flag}: the data set ${data.dataset} (d = ${data.d}) has no image shape to jitter`);
      }
    }
    const ns = nsUpdates ?? nsFromEpochs(nsEpochs, data.train.n, batch);
    if (ns < 1) throw new UsageError(`--batch ${batch} is larger than the ${data.train.n} training images`);
    const config = normalizeTrainConfig({ ...settings, ns });

    const bar = progressBar(process.stderr, 'training');
    const started = Date.now();
    const { result, network } = withMemoryHint(() => train(kernel, data, config, {
      onProgress: (p) => {
        const val = p.validationAccuracy === undefined ? '' : ` · val ${(100 * p.validationAccuracy).toFixed(1)}%`;
        bar.update(p.update, p.updates, `${p.update}/${p.updates} · epoch ${p.epoch.toFixed(1)}${val}`);
      },
    }), `--hidden ${settings.hidden.join(',')} with --batch ${batch}`, 'narrower --hidden layers or a smaller --batch');
    const seconds = (Date.now() - started) / 1000;
    bar.finish(`${seconds.toFixed(1)} s`);

    if (values.save) {
      const extra: SavedModelExtra = {
        format: 'bnlab-model/1',
        config,
        data: { dataset: data.dataset, d: data.d, K: data.K, classes: data.classes, splits: data.splits, fingerprint: data.fingerprint },
        normalisation: { mean: Array.from(data.mean), std: Array.from(data.std) },
        result: { accuracy: result.accuracy, diverged: result.diverged },
      };
      writeFileAtomic(path.resolve(values.save), serializeModel(network, extra));
      console.error(`bnlab: saved the network to ${values.save}`);
    }

    const engine = engineIdentity(kernel.id);
    if (values.json) {
      const out = { ...result, config: { ...config, dataset: data.dataset, dataFingerprint: data.fingerprint }, engine };
      console.log(JSON.stringify(out, null, 2));
      return 0;
    }
    const net = `${settings.hidden.length + 1}-layer [${settings.hidden.join(', ')}]${settings.batchNorm ? ' with batch norm' : ''}`;
    const init = sigma === undefined ? 'He init' : `σ = ${sigma}`;
    const extras = OPTIONS.filter((o) => o.neutral !== undefined && o.name in config)
      .map((o) => {
        const v = String((config as unknown as Record<string, unknown>)[o.name]);
        return o.type === 'boolean' ? o.label : (o.choiceLabels?.[v] ?? `${o.label} ${v}`);
      });
    const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
    console.log(
      [
        `${net}, ${init}, λ = ${settings.lambda}, η ${settings.etaMin}…${settings.etaMax}, batch ${batch}, n_s ${ns}, ${settings.cycles} cycle${settings.cycles === 1 ? '' : 's'}, seed ${settings.seed}`,
        ...(extras.length > 0 ? [`options: ${extras.join(', ')}`] : []),
        `${data.dataset}: ${data.splits.train} train / ${data.splits.validation} validation / ${data.splits.test} test · ${engine} · ${seconds.toFixed(1)} s`,
        ...(result.diverged ? ['diverged: the cost became NaN or infinite; the figures are from the last finite point'] : []),
        `accuracy  train ${pct(result.accuracy.train)}  validation ${pct(result.accuracy.validation)}  test ${pct(result.accuracy.test)}`,
        `cost      train ${result.cost.train.toFixed(4)}  validation ${result.cost.validation.toFixed(4)}  test ${result.cost.test.toFixed(4)}`,
      ].join('\n'),
    );
    return 0;
  },
};
