import { describe, expect, it } from 'vitest';
import { resolveAllProfiles } from '../config/load.js';
import { stageDependencies, stageDigest, stageNames } from '../config/stages.js';
import { BNLAB, DATA_STAMP, STORE_CHECK, STORE_RECORDS, pipelineProject, pipelineTargets, resolveAutoKernel, type PipelineTarget } from './targets.js';

// A study with the user's own stage names, declared out of graph order (tune reads hunt).
const text = `version: 1
stages:
  tune: { kind: refine, from: hunt, around: { lambda: { relative: 0.1 } }, samples: 2 }
  hunt: { kind: search, space: { lambda: { logUniform: [1.0e-4, 1.0e-1] } }, samples: 10 }
  sheet: { kind: report }
profiles:
  smoke:
    stages:
      hunt: { samples: 4 }
  other: {}
`;
const studies = resolveAllProfiles(text, 'x.yaml', {});
const stages = stageNames(studies.default);
const runtime = (t: PipelineTarget) => t.inputs!.filter((i): i is { runtime: string } => typeof i === 'object' && 'runtime' in i).map((i) => i.runtime);

describe('pipelineTargets', () => {
  const targets = pipelineTargets(studies);

  it('has compile, one target per stage and all, in graph order', () => {
    expect(Object.keys(targets)).toEqual(['compile', ...stages, 'all']);
    expect(targets.compile.options).toEqual({ command: 'node scripts/build.mjs' });
    // Issue 17: a cached compile restored dist/ under another run's running stages.
    expect(targets.compile.cache).toBe(false);
    expect(targets.compile.outputs).toBeUndefined();
    expect(targets.all.executor).toBe('nx:noop');
    expect(targets.all.dependsOn).toEqual(stages);
  });

  it('runs bnlab run <stage> after compile, cached, one at a time, dependsOn mirroring the graph', () => {
    for (const s of stages) {
      const t = targets[s];
      expect(t.options).toEqual({ command: `${BNLAB} run ${s}` });
      expect(t.cache).toBe(true);
      expect(t.parallelism).toBe(false);
      expect(t.dependsOn).toEqual(['compile', ...stageDependencies(studies.default, s)]);
    }
  });

  it('configurations are the profiles and hold nothing but the profile name', () => {
    for (const t of Object.values(targets).filter((x) => x !== targets.compile)) {
      expect(t.configurations).toEqual({ default: { profile: 'default' }, smoke: { profile: 'smoke' }, other: { profile: 'other' } });
      expect(t.defaultConfiguration).toBe('default');
    }
  });

  it("each stage's runtime input echoes its digest under every profile", () => {
    for (const s of stages) {
      const echo = runtime(targets[s])[0];
      expect(echo).toBe(
        `echo default=${stageDigest(studies.default, s)} smoke=${stageDigest(studies.smoke, s)} other=${stageDigest(studies.other, s)}`,
      );
    }
    expect(stageDigest(studies.default, 'hunt')).not.toBe(stageDigest(studies.smoke, 'hunt'));
    expect(stages).toEqual(['data', 'hunt', 'tune', 'sheet']);
    expect(targets.tune.dependsOn).toEqual(['compile', 'data', 'hunt']);
    expect(targets.sheet.dependsOn).toEqual(['compile', 'data', 'tune', 'hunt']);
  });

  it("kernel 'auto' is hashed as the machine's kernel: the same targets as naming it, others for another", () => {
    const withKernel = (k: string) => resolveAllProfiles(`version: 1\ndefaults:\n  kernel: ${k}\nstages:\n  g: { kind: grid, vary: { batchNorm: [true] } }\n`, 'x.yaml', {});
    expect(withKernel('auto').default.kernel).toBe('auto');
    const auto = pipelineTargets(resolveAutoKernel(withKernel('auto'), 'wasm-simd-f32'));
    expect(auto).toEqual(pipelineTargets(withKernel('wasm-simd-f32')));
    expect(pipelineTargets(resolveAutoKernel(withKernel('auto'), 'ts-f32')).g).not.toEqual(auto.g);
    // a named kernel is left alone
    expect(resolveAutoKernel(withKernel('ts-f64'), 'wasm-simd-f32').default.kernel).toBe('ts-f64');
  });

  it('editing one stage changes only that target (options and configurations unchanged)', () => {
    const edited = pipelineTargets(resolveAllProfiles(text.replace('samples: 10', 'samples: 11'), 'x.yaml', {}));
    const differing = Object.keys(targets).filter((k) => JSON.stringify(targets[k]) !== JSON.stringify(edited[k]));
    expect(differing).toEqual(['hunt']);
    expect(edited.hunt.options).toEqual(targets.hunt.options);
    expect(edited.hunt.configurations).toEqual(targets.hunt.configurations);
  });

  it('data hashes its sources and the data env; the others hash upstream result.json files', () => {
    expect(runtime(targets.data)).toContain(DATA_STAMP);
    expect(targets.data.inputs).toContainEqual({ env: 'BNLAB_CIFAR10_DIR' });
    expect(targets.data.inputs).not.toContainEqual(expect.objectContaining({ dependentTasksOutputFiles: expect.anything() }));
    // only the report reads trial records' meta (its provenance): a digest of every record, read when
    // Nx hashes it (not a glob: Nx lists files once per run); the other stages' results follow from
    // their configuration and upstream results (trials are deterministic)
    for (const s of stages) expect(runtime(targets[s]).includes(STORE_RECORDS), s).toBe(s === 'sheet');
    for (const s of stages) expect(targets[s].inputs!.some((i) => typeof i === 'string' && i.includes('results/trials')), s).toBe(false);
    for (const s of stages.filter((x) => x !== 'data')) {
      expect(targets[s].inputs).toContainEqual({ dependentTasksOutputFiles: '**/result.json', transitive: true });
      // the digest echo, and for the stages that read trial records, the store's integrity
      expect(runtime(targets[s])).toHaveLength(s === 'gradcheck' ? 1 : 2);
      expect(runtime(targets[s]).includes(STORE_CHECK), s).toBe(s !== 'gradcheck' && s !== 'sheet');
    }
  });

  it('hashes the engine, pipeline and report sources but not experiments.yaml as a file', () => {
    const files = targets.hunt.inputs!.filter((i): i is string => typeof i === 'string');
    for (const p of ['engine', 'pipeline', 'report']) expect(files).toContain(`{workspaceRoot}/packages/${p}/**/*`);
    expect(files.some((f) => f.includes('experiments.yaml'))).toBe(false);
  });

  it('outputs results/<profile>/<stage>, and report/<profile> for the report', () => {
    expect(targets.tune.outputs).toEqual(['{workspaceRoot}/results/{options.profile}/tune']);
    expect(targets.sheet.outputs).toEqual(['{workspaceRoot}/results/{options.profile}/sheet', '{workspaceRoot}/report/{options.profile}']);
    expect(targets.tune.metadata?.description).toMatch(/^refine: /);
  });
});

describe('pipelineProject', () => {
  it('is the root project named pipeline', () => {
    const p = pipelineProject(studies);
    expect(p.name).toBe('pipeline');
    expect(p.root).toBe('.');
  });
});
