// The engine's public API. Everything computes; nothing reads files, clocks or the environment.
export type { Kernel, DType, FloatArray } from './kernel.js';
export { JITTER_PARAMS } from './kernel.js';
export { createTsKernel } from './kernels/ts.js';
export { createKernel, kernelIds, kernelCanThread, defaultKernelId, type KernelOptions } from './kernels/registry.js';
export { DEFAULT_WASM_MEMORY_BYTES, MAX_KERNEL_THREADS } from './kernels/wasm.js';
export { createRng, cloneRng, nextU32, uniform, randInt, shuffle, normal, type Rng } from './rng.js';
export {
  DEFAULT_EPS, DEFAULT_ALPHA, EVAL_ROWS, createNetwork, initNetwork, layerSizes, workspace, gatherRows,
  networkForward, networkBackward, sgdUpdate, weightSquares, evaluate, parameterTensors, drawDropoutMasks,
  type Init, type BnPlacement, type NetConfig, type Layer, type Network, type Workspace, type Split, type Mode, type Figures,
} from './network.js';
export { cyclicalEta, nsFromEpochs } from './schedule.js';
export {
  TRAINING_OPTIONS, JITTER_OPTIONS, trainingOption, optionValueError, optionInIdentity,
  type TrainingOption, type OptionValue,
} from './options.js';
export {
  train, normalizeTrainConfig, recordingPoints, checkSplit, loadTrainingBatch,
  type Dataset, type TrainConfig, type NormalizedTrainConfig, type TrainResult, type HistoryPoint,
  type Split3, type Pair, type TrainProgress, type TrainOptions,
} from './train.js';
export {
  gradcheck, relativeError, DEFAULT_GRADCHECK_H, DEFAULT_GRADCHECK_THRESHOLD,
  type GradcheckInput, type GradcheckEntry, type GradcheckResult,
} from './gradcheck.js';
export { createJitterer, jitterBatch, jitterOn, type ImageShape, type JitterConfig, type Jitterer } from './augment.js';
export { syntheticDataset, type SyntheticOptions } from './synthetic.js';
export { serializeModel, deserializeModel, loadNetwork, type Model, type ModelTensor } from './model-io.js';
export { ENGINE_NUMERICS_VERSION, engineIdentity, goldenRun } from './identity.js';
