// Kernel ids → factories. A static table: adding a kernel is one entry here (the WebAssembly kernels
// add theirs from ./wasm.js). Each call creates a fresh kernel with its own memory.
import type { Kernel } from '../kernel.js';
import { createTsKernel } from './ts.js';
import { availableWasmKernelIds, createWasmKernel, WASM_KERNEL_IDS } from './wasm.js';

const FACTORIES: Readonly<Record<string, () => Kernel>> = {
  'ts-f64': () => createTsKernel('f64'),
  'ts-f32': () => createTsKernel('f32'),
};

/** Every kernel id this build can compute on this machine, in table order (WASM ids: fastest first). */
export function kernelIds(): string[] {
  return [...Object.keys(FACTORIES), ...availableWasmKernelIds()];
}

/** The kernel training uses when none is named. */
export function defaultKernelId(): string {
  return availableWasmKernelIds()[0] ?? 'ts-f32';
}

export function createKernel(id: string): Kernel {
  if (WASM_KERNEL_IDS.includes(id)) return createWasmKernel(id);
  const factory = Object.hasOwn(FACTORIES, id) ? FACTORIES[id] : undefined;
  if (!factory) throw new Error(`unknown kernel '${id}' (known: ${kernelIds().join(', ')})`);
  return factory();
}
