import { describe, expect, it } from 'vitest';
import { hashOf } from '../util/canonical-json.js';
import { resolveStudyText } from './load.js';
import { stageConfig, stageDependencies, stageDigest, stageNames, upstreamStages } from './stages.js';
import type { ResolvedStudy, StageName } from './types.js';

const study = (extra = '', profile = 'default'): ResolvedStudy => resolveStudyText(`version: 1\n${extra}`, 'x.yaml', profile);
const digests = (s: ResolvedStudy) => Object.fromEntries(stageNames.map((n) => [n, stageDigest(s, n)])) as Record<StageName, string>;
/** The stages whose digest differs between two studies. */
const changed = (a: ResolvedStudy, b: ResolvedStudy) => stageNames.filter((n) => digests(a)[n] !== digests(b)[n]);

describe('stage graph', () => {
  it('lists every stage after its dependencies', () => {
    stageNames.forEach((s, i) => {
      for (const d of stageDependencies[s]) expect(stageNames.indexOf(d), `${d} before ${s}`).toBeLessThan(i);
    });
    expect(stageNames[0]).toBe('data');
    expect(stageNames[1]).toBe('gradcheck');
  });
  it('gives the transitive upstream stages', () => {
    expect(upstreamStages('final')).toEqual(['data', 'coarse', 'fine']);
    expect(upstreamStages('sigma')).toEqual(['data']);
    expect(upstreamStages('report')).toEqual(stageNames.filter((s) => s !== 'report'));
    expect(upstreamStages('data')).toEqual([]);
  });
});

describe('stageDigest', () => {
  it('is sha256 of the canonical stage configuration', () => {
    const s = study();
    expect(stageDigest(s, 'coarse')).toBe(hashOf(stageConfig(s, 'coarse')));
    expect(stageDigest(s, 'coarse')).toMatch(/^[0-9a-f]{64}$/);
  });
  it('editing one stage changes only that stage', () => {
    expect(changed(study(), study('stages: { coarse: { samples: 7 } }'))).toEqual(['coarse']);
    expect(changed(study(), study('stages: { gradcheck: { threshold: 1.0e-9 } }'))).toEqual(['gradcheck']);
    expect(changed(study(), study('stages: { sigma: { seeds: 2 } }'))).toEqual(['sigma']);
  });
  it('defaults.training reaches the stages that train, and λ only those that use it', () => {
    expect(changed(study(), study('defaults: { training: { cycles: 4 } }'))).toEqual(['curves', 'coarse', 'fine', 'sigma']);
    expect(changed(study(), study('defaults: { training: { lambda: 0.01 } }'))).toEqual(['curves', 'sigma']);
    expect(changed(study(), study('defaults: { training: { batch: 50 } }'))).toEqual(['curves', 'coarse', 'fine', 'final', 'sigma']);
  });
  it('the coarse net reaches fine through the default', () => {
    expect(changed(study(), study('stages: { coarse: { batchNorm: false } }'))).toEqual(['coarse', 'fine']);
  });
  it('data settings and the kernel reach every stage that uses them', () => {
    expect(changed(study(), study('data: { validation: 0.2 }'))).toEqual(stageNames);
    expect(changed(study(), study('defaults: { kernel: ts-f64 }'))).toEqual(stageNames.filter((s) => s !== 'data'));
  });
  it('ignores the data directory, workers, the executor and the profile name', () => {
    const base = study();
    expect(changed(base, study('data: { dir: /somewhere/cifar }'))).toEqual([]);
    expect(changed(base, study('executor: { workers: 1, kind: queue, url: redis://h:1 }'))).toEqual([]);
    expect(changed(base, study('profiles: { other: {} }', 'other'))).toEqual([]);
    expect(JSON.stringify(stageConfig(study('data: { dir: /somewhere/cifar }'), 'data'))).not.toContain('somewhere');
  });
});
