export type { Kernel, DType, FloatArray } from './kernel.js';
