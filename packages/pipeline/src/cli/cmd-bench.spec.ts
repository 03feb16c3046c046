import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it, vi } from 'vitest';
import { TRAINING_OPTIONS, defaultKernelId, kernelIds, kernelCanThread } from '@bnlab/engine';
import { bench, command, formatTable, GEMM_SHAPES, type BenchResult } from './cmd-bench.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/bench.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
const schemaErrors = (v: unknown) => (validate(v) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`));

// The workload shrunk to a few batches and very short GEMM timings: shape and consistency, no speed.
const tiny = ['--quick', '--samples', '200', '--gemm-seconds', '0.01', '--workers', '0', '--repeats', '2'];

async function runJson(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await command.run(argv, { debug: false });
    return { code, out };
  } finally {
    write.mockRestore();
    err.mockRestore();
  }
}

describe('bnlab bench', () => {
  it('--json prints one object that matches its schema, with every kernel and GEMM shape, consistent ratios', async () => {
    const { code, out } = await runJson([...tiny, '--threads', '2', '--json']);
    expect(code).toBe(0);
    const r = JSON.parse(out) as BenchResult;
    expect(schemaErrors(r)).toEqual([]);
    expect(r.samples).toBe(200);
    expect(r.repeats).toBe(2);
    expect(r.defaultKernel).toBe(defaultKernelId());
    expect(Object.keys(r.epochSeconds)).toEqual(kernelIds());
    expect(Object.keys(r.gemmGflops)).toEqual(kernelIds());
    for (const id of kernelIds()) {
      expect(Object.keys(r.gemmGflops[id])).toEqual(GEMM_SHAPES.map(([op, M, N, K]) => `${op} ${M}x${N}x${K}`));
    }
    // the threaded epoch for exactly the kernels that can share their products
    expect(r.threads).toBe(2);
    expect(Object.keys(r.epochSecondsOneThread)).toEqual(kernelIds());
    // kernels that cannot share their work run on one thread either way: one measurement for both
    for (const id of kernelIds().filter((k) => !kernelCanThread(k))) expect(r.epochSeconds[id]).toBe(r.epochSecondsOneThread[id]);
    // each training option with an example value, on its own, on the default kernel as train runs it
    const oe = r.optionEpochSeconds!;
    expect(oe).toMatchObject({ kernel: r.defaultKernel, threads: kernelCanThread(r.defaultKernel) ? 2 : 1 });
    expect(Object.keys(oe.options)).toEqual(TRAINING_OPTIONS.filter((o) => o.example !== undefined).map((o) => `${o.name}=${String(o.example)}`));
    expect(Object.keys(oe.options)).toEqual(expect.arrayContaining(['bnPlacement=after', 'dropout=0.5', 'jitterFlip=true', 'jitterShift=4']));
    const table = formatTable(r);
    expect(table).toMatch(/^training options, each on its own \(.+ on \d threads?, seconds per epoch\):$/m);
    expect(table).toMatch(/^ {2}dropout=0\.5 +\d+\.\d{3} {2}\([+-]\d+\.\d %\)$/m);
    const asTrainRunsIt = r.epochSeconds[r.defaultKernel];
    if (r.numpy) {
      // python3 with numpy is here: like over like, all threads over numpy's default, one over one
      expect(r.ratios).not.toBeNull();
      expect(r.ratios!.vsNumpyF64).toBeCloseTo(asTrainRunsIt / r.numpy.f64, 2);
      expect(r.ratios!.vsNumpyF32).toBeCloseTo(asTrainRunsIt / r.numpy.f32, 2);
      expect(r.numpySingleThread).not.toBeNull();
      expect(r.ratiosOneThread!.vsNumpyF64).toBeCloseTo(r.epochSecondsOneThread[r.defaultKernel] / r.numpySingleThread!.f64, 2);
      expect(r.ratiosOneThread!.vsNumpyF32).toBeCloseTo(r.epochSecondsOneThread[r.defaultKernel] / r.numpySingleThread!.f32, 2);
    } else {
      expect(r.ratios).toBeNull();
      expect(r.ratiosOneThread).toBeNull();
      expect(r.numpySingleThread).toBeNull();
      expect(r.notes.join('\n')).toMatch(/numpy reference (skipped|failed)/);
    }
  });

  it('skips numpy with a note when the interpreter is missing, and the table says so', async () => {
    const r = await bench({ kernels: ['ts-f32'], samples: 100, gemmSeconds: 0.01, numpy: true, log: () => {}, python: 'python3-not-installed-here' });
    expect(schemaErrors(r)).toEqual([]);
    expect(r.numpy).toBeNull();
    expect(r.numpySingleThread).toBeNull();
    expect(r.ratios).toBeNull();
    expect(r.ratiosOneThread).toBeNull();
    expect(r.threads).toBe(1);
    expect(r.epochSeconds).toEqual(r.epochSecondsOneThread);
    if (defaultKernelId() !== 'ts-f32') expect(r.optionEpochSeconds).toBeNull();
    expect(r.notes).toContain('numpy reference skipped: python3-not-installed-here not found');
    if (defaultKernelId() !== 'ts-f32') expect(r.notes).toContain(`the default kernel ${defaultKernelId()} was not benchmarked (--kernels)`);
    const table = formatTable(r);
    expect(table).toMatch(/^ts-f32 +\d+\.\d{3} +\d+\.\d +\d+\.\d +\d+\.\d$/m);
    expect(table).toContain('note: numpy reference skipped: python3-not-installed-here not found');
  });

  it('rejects an unknown kernel and a too small sample count with one-line usage errors', async () => {
    await expect(command.run(['--kernels', 'ts-f16'], { debug: false })).rejects.toThrow(/--kernels: 'ts-f16' is not a kernel this machine can run/);
    await expect(command.run(['--samples', '50'], { debug: false })).rejects.toThrow(/--samples: '50' must be an integer ≥ 100/);
    await expect(command.run(['--gemm-seconds', '0'], { debug: false })).rejects.toThrow(/--gemm-seconds: '0' must be > 0/);
    await expect(command.run(['--threads', '0'], { debug: false })).rejects.toThrow(/--threads: '0' must be an integer ≥ 1/);
    await expect(command.run(['--repeats', '0'], { debug: false })).rejects.toThrow(/--repeats: '0' must be an integer ≥ 1/);
  });
});
