// Entry of both WebAssembly kernel builds (plain SIMD and relaxed SIMD), compiled by scripts/build-wasm.mjs.
export { heapBase, scratchBytes, setScratch, gemmNT, gemmNN, gemmTN, probeMadd } from './gemm';
export {
  addRow, colSum, batchNormForward, batchNormInference, batchNormBackward, reluForward, reluBackward,
  softmaxCrossEntropy, countCorrect, applyMask, jitterImages, sgdStep, ema, sumSquares,
} from './ops';
