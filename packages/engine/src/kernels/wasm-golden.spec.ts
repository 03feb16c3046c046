// The portable WebAssembly kernel's numbers pinned like identity.spec.ts pins ts-f64 and ts-f32:
// wasm-simd-f32 fixes every result bit (no relaxed ops, exp/log compiled into the module), so its
// golden run must give the same digest on every machine with WASM SIMD.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ENGINE_NUMERICS_VERSION, goldenRun } from '../identity.js';
import { createWasmKernel, WASM_SIMD_ID } from './wasm.js';

// sha256 of goldenRun's text on wasm-simd-f32, at ENGINE_NUMERICS_VERSION 1.
const GOLDEN_WASM_SIMD = '123e1505dbee76eb5f4acf21c12969bd5fc388fd6455120fdbc4e6a0a46ed515';

describe('wasm-simd-f32 golden run', () => {
  it('gives the stored bits', () => {
    expect(ENGINE_NUMERICS_VERSION, 'the digest below was stored at ENGINE_NUMERICS_VERSION 1').toBe(1);
    const text = goldenRun(createWasmKernel(WASM_SIMD_ID));
    const digest = createHash('sha256').update(text).digest('hex');
    expect(text).toContain('"diverged":false');
    expect(digest, `${WASM_SIMD_ID}: numbers changed: bump ENGINE_NUMERICS_VERSION and update the digest`).toBe(GOLDEN_WASM_SIMD);
  });
});
