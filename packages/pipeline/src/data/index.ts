// The data module's public API: prepared data sets for the CLI, the stages and worker threads.
export { prepareDataset, preparedKey, describe, NORMALISATION, type PrepareOptions } from './prepare-dataset.js';
export {
  toTransferable, fromTransferable, DATASET_NAMES,
  type DatasetName, type PreparedDataset, type PreparedHeader, type Split, type SplitSizes, type TransferablePrepared,
} from './layout.js';
export { DEFAULT_VALIDATION, validationCount } from './normalise.js';
export { resolveCifar10Dir, CIFAR10_URL, CIFAR10_MD5 } from './cifar10.js';
export { FASHION_MNIST_SYSTEM_DIR } from './fashion-mnist.js';
export { findWorkspaceRoot } from './workspace.js';
export { progressBar, type ProgressBar } from './progress-bar.js';
