import { describe, expect, it } from 'vitest';
import { hashOf } from '../util/canonical-json.js';
import { resolveStudyText } from './load.js';
import { stageConfig, stageDependencies, stageDigest, stageNames, upstreamStages } from './stages.js';
import type { ResolvedStudy } from './types.js';

// A study of every kind under user-chosen names, declared out of graph order (polish before hunt).
const STUDY = `version: 1
defaults:
  nets: {narrow: [20, 20], broad: [40, 40]}
stages:
  checks: {kind: gradcheck, nets: [narrow], batchNorm: [true]}
  widths: {kind: grid, vary: {net: [narrow, broad], batchNorm: [false, true]}, seeds: 2}
  polish: {kind: refine, from: hunt, around: {lambda: {relative: 0.1}}, samples: 2}
  hunt: {kind: search, net: narrow, batchNorm: true, space: {lambda: {logUniform: [1.0e-4, 1.0e-1]}}, samples: 4, seed: 5, keep: 2}
  champion: {kind: evaluate, from: polish, seeds: [3, 7]}
  summary: {kind: report, title: Any title}
`;
const study = (extra = '', profile = 'default'): ResolvedStudy => resolveStudyText(`${STUDY}${extra}`, 'x.yaml', profile);
const digests = (s: ResolvedStudy) => Object.fromEntries(stageNames(s).map((n) => [n, stageDigest(s, n)]));
/** The stages whose digest differs between two studies. */
const changed = (a: ResolvedStudy, b: ResolvedStudy) => stageNames(a).filter((n) => digests(a)[n] !== digests(b)[n]);
const profile = (yaml: string) => `profiles:\n  p:\n${yaml.replace(/^/gm, '    ')}\n`;

describe('stage graph', () => {
  it('is the declaration: data first, each stage after what it reads, otherwise in declared order', () => {
    const s = study();
    expect(stageNames(s)).toEqual(['data', 'checks', 'widths', 'hunt', 'polish', 'champion', 'summary']);
    expect(stageDependencies(s, 'polish')).toEqual(['data', 'hunt']);
    expect(stageDependencies(s, 'summary')).toEqual(['data', 'checks', 'widths', 'polish', 'hunt', 'champion']);
    expect(upstreamStages(s, 'champion')).toEqual(['data', 'hunt', 'polish']);
    expect(upstreamStages(s, 'widths')).toEqual(['data']);
    expect(upstreamStages(s, 'data')).toEqual([]);
  });
});

describe('stageDigest', () => {
  it('is sha256 of the canonical stage configuration', () => {
    const s = study();
    expect(stageDigest(s, 'hunt')).toBe(hashOf(stageConfig(s, 'hunt')));
    expect(stageDigest(s, 'hunt')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('editing one stage changes only that stage (and not the stages reading it: their results do)', () => {
    const base = study();
    expect(changed(base, study(profile('stages: {hunt: {samples: 7}}'), 'p'))).toEqual(['hunt']);
    expect(changed(base, study(profile('stages: {checks: {threshold: 1.0e-9}}'), 'p'))).toEqual(['checks']);
    expect(changed(base, study(profile('stages: {widths: {seeds: 3}}'), 'p'))).toEqual(['widths']);
  });

  it('defaults.training reaches the stages that train; ε reaches the gradient check too', () => {
    const base = study();
    expect(changed(base, study(profile('defaults: {training: {cycles: 4}}'), 'p'))).toEqual(['widths', 'hunt', 'polish', 'champion']);
    expect(changed(base, study(profile('defaults: {training: {eps: 1.0e-8}}'), 'p'))).toEqual(['checks', 'widths', 'hunt', 'polish', 'champion']);
  });

  it('data settings and the kernel reach every stage that uses them', () => {
    const base = study();
    expect(changed(base, study(profile('data: {validation: 0.2}'), 'p'))).toEqual(stageNames(base));
    expect(changed(base, study(profile('defaults: {kernel: ts-f64}'), 'p'))).toEqual(stageNames(base).filter((s) => s !== 'data'));
  });

  it('ignores the data directory, workers, the executor and the profile name', () => {
    const base = study();
    expect(changed(base, study(profile('data: {dir: /somewhere/cifar}'), 'p'))).toEqual([]);
    expect(changed(base, study(profile('executor: {workers: 1, kind: queue, url: "redis://h:1"}'), 'p'))).toEqual([]);
    expect(JSON.stringify(stageConfig(study(profile('data: {dir: /somewhere/cifar}'), 'p'), 'data'))).not.toContain('somewhere');
  });
});
