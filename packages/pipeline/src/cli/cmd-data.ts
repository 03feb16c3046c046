// bnlab data: prepares a data set (from the binary cache when it can) and describes it.
import { numberFlag, parseFlags, UsageError, type Command } from './command.js';
import { describe, findWorkspaceRoot, prepareDataset, progressBar, DATASET_NAMES, DEFAULT_VALIDATION, type DatasetName, type PrepareOptions } from '../data/index.js';

const help = `Usage: bnlab data [--dataset cifar10|fashion-mnist] [--dir DIR] [--validation N] [--json]

Prepares a data set and describes it: validation = the last N training images, training = the rest,
every split standardised with the training split's per-dimension mean and std. The prepared arrays
are cached in <workspace>/.bnlab/data, so later commands load them in milliseconds.

CIFAR-10 is read from --dir, else $BNLAB_CIFAR10_DIR, else <workspace>/data/cifar-10-batches-bin;
when that directory is absent, cifar-10-binary.tar.gz is downloaded and checked ($BNLAB_CIFAR10_URL
and $BNLAB_CIFAR10_MD5 override the official URL and md5). Fashion-MNIST is read from --dir, else
/usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist).

Options:
  --dataset NAME    cifar10 or fashion-mnist (default cifar10)
  --dir DIR         directory holding the data set's official files
  --validation N    validation images: a count, or a fraction of the training records when
                    0 < N < 1 (default ${DEFAULT_VALIDATION})
  --json            print {dataset, splits, classes, dimensions, source, fingerprint} on stdout
  --help            show this help`;

export const dataFlags = {
  dataset: { type: 'string' },
  dir: { type: 'string' },
  validation: { type: 'string' },
} as const;

/** The data options shared by data, gradcheck, train and eval, from parsed flags. */
export function dataOptions(
  values: { dataset?: string; dir?: string; validation?: string },
  cwd: string,
  env: Record<string, string | undefined>,
): PrepareOptions {
  const dataset = values.dataset ?? 'cifar10';
  if (!(DATASET_NAMES as readonly string[]).includes(dataset)) {
    throw new UsageError(`--dataset: '${dataset}' is not a data set (known: ${DATASET_NAMES.join(', ')})`);
  }
  const bar = progressBar(process.stderr, 'downloading CIFAR-10');
  return {
    dataset: dataset as DatasetName,
    dir: values.dir,
    validation: numberFlag(values.validation, 'validation', DEFAULT_VALIDATION),
    workspaceRoot: findWorkspaceRoot(cwd),
    env,
    log: (line) => console.error(`bnlab: ${line}`),
    onDownloadProgress: (received, total) => {
      bar.update(received, total, `${(received / 1e6).toFixed(1)}${total ? `/${(total / 1e6).toFixed(1)}` : ''} MB`);
      if (total > 0 && received >= total) bar.finish();
    },
  };
}

export const command: Command = {
  help,
  async run(argv) {
    const { values } = parseFlags(argv, { ...dataFlags, json: { type: 'boolean' } }, 'data');
    const prepared = await prepareDataset(dataOptions(values, process.cwd(), process.env));
    const summary = describe(prepared);
    if (values.json) {
      console.log(JSON.stringify(summary, null, 2));
      return 0;
    }
    const { train, validation, test } = summary.splits;
    console.log(
      [
        `${summary.dataset} from ${summary.source}`,
        `  splits       train ${train}, validation ${validation}, test ${test}`,
        `  dimensions   ${summary.dimensions}`,
        `  classes      ${summary.classes.join(', ')}`,
        `  fingerprint  ${summary.fingerprint}`,
      ].join('\n'),
    );
    return 0;
  },
};
