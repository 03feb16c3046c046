// bnlab bench through the built CLI, shrunk to a few batches, very short GEMM timings and 2 worker
// threads: its --json output against the schema, and the worker throughput for 1 and 2 threads. No
// timing assertions: speed is what the benchmark reports, not what a test checks.
import { Ajv } from 'ajv';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bnlab = path.join(repo, 'packages/pipeline/bin/bnlab.js');
const validate = new Ajv({ allErrors: true, strict: true }).compile(
  JSON.parse(readFileSync(path.join(repo, 'packages/pipeline/schemas/bench.schema.json'), 'utf8')),
);

describe('bnlab bench --json', () => {
  it('matches its schema and reports trials per minute with 1 and 2 worker threads', async () => {
    const args = ['bench', '--quick', '--samples', '200', '--workers', '2', '--gemm-seconds', '0.01', '--json'];
    const r = await execa('node', [bnlab, ...args], { cwd: repo, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { samples: number; defaultKernel: string; epochSeconds: Record<string, number>; workers?: Record<string, number> };
    const errors = validate(out) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
    expect(errors).toEqual([]);
    expect(out.samples).toBe(200);
    expect(Object.keys(out.epochSeconds)).toContain(out.defaultKernel);
    expect(Object.keys(out.workers ?? {}).sort(), 'worker counts measured').toEqual(['1', '2']);
    for (const [count, perMinute] of Object.entries(out.workers ?? {})) {
      expect(perMinute, `${count} worker(s): ${perMinute} trials per minute`).toBeGreaterThan(0);
    }
  });
});
