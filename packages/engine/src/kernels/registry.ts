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

/** Whether kernel `id` can share its work between threads (the WebAssembly ones). */
export function kernelCanThread(id: string): boolean {
  return WASM_KERNEL_IDS.includes(id);
}

export interface KernelOptions {
  /** Threads for the GEMMs (default 1); more than 1 only for kernels where kernelCanThread(id). */
  threads?: number;
}

export function createKernel(id: string, options: KernelOptions = {}): Kernel {
  if (WASM_KERNEL_IDS.includes(id)) return createWasmKernel(id, options);
  const factory = Object.hasOwn(FACTORIES, id) ? FACTORIES[id] : undefined;
  if (!factory) throw new Error(`unknown kernel '${id}' (known: ${kernelIds().join(', ')})`);
  const threads = options.threads ?? 1;
  if (threads !== 1) throw new Error(`kernel '${id}' computes on one thread (asked for ${threads})`);
  return factory();
}
