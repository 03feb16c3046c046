export type { Kernel, DType, FloatArray } from './kernel.js';
export { createTsKernel } from './kernels/ts.js';
export { createKernel, kernelIds, defaultKernelId } from './kernels/registry.js';
export { createRng, cloneRng, nextU32, uniform, randInt, shuffle, normal, type Rng } from './rng.js';
