import { TRAINING_OPTIONS } from '@bnlab/engine';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from './errors.js';
import { loadStudy, profileName, resolveAllProfiles, resolveStudyText } from './load.js';
import type { ResolvedStudy } from './types.js';

/** The error lines resolveStudyText throws for `text` (fails the test if it does not throw a ConfigError). */
function errorsOf(text: string, profile = 'default'): string[] {
  try {
    resolveStudyText(text, 'experiments.yaml', profile);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  throw new Error(`expected a ConfigError for:\n${text}`);
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('loadStudy errors: one located line each', () => {
  it('malformed YAML', () => {
    expect(errorsOf(lines('version: 1', 'stages:', '  coarse:', '    samples: 4', '   keep: 3'))).toEqual([
      'experiments.yaml:5:1 YAML: All mapping items must start at the same column',
    ]);
    expect(errorsOf(lines('version: 1', 'stages:', '  coarse: [1, 2'))).toEqual([
      'experiments.yaml:4:1 YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('a duplicate key is a YAML error', () => {
    expect(errorsOf(lines('version: 1', 'version: 1'))).toEqual(['experiments.yaml:2:1 YAML: Map keys must be unique']);
  });

  const search = (...extra: string[]) => lines('version: 1', 'stages:', '  hunt:', '    kind: search', '    space: { lambda: { logUniform: [1.0e-4, 1.0e-1] } }', ...extra);

  it('wrong type', () => {
    expect(errorsOf(search('    samples: 4.5'))).toEqual(['experiments.yaml:6:14 stages.hunt.samples: must be an integer']);
    expect(errorsOf(lines('version: 1', 'stages:', '  g:', '    kind: grid', '    vary: { sigma: 0.1 }'))).toEqual([
      'experiments.yaml:5:20 stages.g.vary.sigma: must be a list',
    ]);
  });

  it('unknown key, with "did you mean" when one is close and the known keys otherwise', () => {
    expect(errorsOf(search('    samples: 4', '    smaples: 4', '    colour: red'))).toEqual([
      "experiments.yaml:7:5 stages.hunt.smaples: unknown key (did you mean 'samples'?)",
      'experiments.yaml:8:5 stages.hunt.colour: unknown key (known keys: kind, space, samples, seed, trialSeed, keep, net, batchNorm, preparation, training)',
    ]);
    expect(errorsOf(lines('version: 1', 'defaults:', '  training:', '    lamda: 0.1'))).toEqual([
      "experiments.yaml:4:5 defaults.training.lamda: unknown key (did you mean 'lambda'?)",
    ]);
  });

  it('unknown kind, unknown option and a value out of its range, with did-you-mean', () => {
    expect(errorsOf(lines('version: 1', 'stages:', '  hunt:', '    kind: serach'))).toEqual([
      "experiments.yaml:4:11 stages.hunt.kind: must be one of gradcheck, grid, search, refine, evaluate, summary, report (did you mean 'search'?)",
    ]);
    // Every engine option, then the pipeline's own, in list order.
    const options = [...TRAINING_OPTIONS.map((o) => o.name), 'net', 'batchNorm', 'sigma', 'nsEpochs', 'nsUpdates'].join(', ');
    expect(errorsOf(lines('version: 1', 'stages:', '  g:', '    kind: grid', '    vary: { etaMx: [0.1, 1], lambda: [0.01, -1] }'))).toEqual([
      `experiments.yaml:5:20 stages.g.vary.etaMx: unknown option 'etaMx' (did you mean 'etaMax'?); options: ${options}`,
      'experiments.yaml:5:45 stages.g.vary.lambda[1]: -1 is not a valid lambda: must be ≥ 0',
    ]);
  });

  it('a from naming a missing stage or a stage without kept values, and a cycle', () => {
    const refine = (name: string, from: string) => [`  ${name}:`, '    kind: refine', `    from: ${from}`, '    around: { lambda: { relative: 0.1 } }', '    samples: 2'];
    expect(errorsOf(lines('version: 1', 'stages:', '  g:', '    kind: grid', '    vary: { batchNorm: [true] }', ...refine('r', 'gg'), '  e:', '    kind: evaluate', '    from: g'))).toEqual([
      "experiments.yaml:8:11 stages.r.from: no stage 'gg' (did you mean 'g'?); stages: g, r, e",
      "experiments.yaml:13:11 stages.e.from: 'g' is a grid stage, which keeps no values: read a search or refine stage",
    ]);
    expect(errorsOf(lines('version: 1', 'stages:', ...refine('a', 'b'), ...refine('b', 'a')))).toEqual([
      'experiments.yaml:5:11 stages.a.from: the stages read each other in a cycle: a → b → a',
    ]);
  });

  it('negative λ, in defaults and in a stage', () => {
    expect(errorsOf(lines('version: 1', 'defaults:', '  training:', '    lambda: -0.1'))).toEqual([
      'experiments.yaml:4:13 defaults.training.lambda: must be >= 0',
    ]);
    expect(errorsOf(lines('version: 1', 'stages:', '  g:', '    kind: grid', '    vary: { batchNorm: [true] }', '    training: { lambda: -1e-3 }'))).toEqual([
      'experiments.yaml:6:25 stages.g.training.lambda: must be >= 0',
    ]);
  });

  it('empty and inverted ranges', () => {
    expect(errorsOf(lines('version: 1', 'stages:', '  hunt:', '    kind: search', '    space: { lambda: { logUniform: [1.0e-1, 1.0e-4] } }', '    samples: 4'))).toEqual([
      'experiments.yaml:5:36 stages.hunt.space.lambda.logUniform: empty range [0.1, 0.0001]: the first bound must be below the second',
    ]);
    expect(errorsOf(lines('version: 1', 'defaults:', '  training:', '    etaMin: 0.5', '    etaMax: 0.1'))).toEqual([
      "experiments.yaml:5:13 defaults.training.etaMax: etaMin 0.5 > etaMax 0.1: the cycle's lowest learning rate must not exceed its highest",
    ]);
  });

  it('an unknown profile lists the known ones', () => {
    const text = lines('version: 1', 'profiles:', '  smoke: {}', '  fashion-mnist: {}');
    expect(errorsOf(text, 'smok')).toEqual(["experiments.yaml unknown profile 'smok' (did you mean 'smoke'?); profiles: default, smoke, fashion-mnist"]);
    expect(errorsOf(text, 'nope')).toEqual(['experiments.yaml unknown profile \'nope\'; profiles: default, smoke, fashion-mnist']);
  });

  it('unknown and duplicate nets, located in the layer that names them', () => {
    const text = lines('version: 1', 'stages:', '  g:', '    kind: grid', '    vary: { net: [3-layers, 9-layer, 9-layer] }', 'profiles:', '  smoke:', '    stages:', '      g:', '        vary: { net: [9-layer, 5-layer] }', '        seedz: 2');
    expect(errorsOf(text)).toEqual(['experiments.yaml:5:38 stages.g.vary.net[2]: repeats item [1] (items must be unique)']);
    expect(errorsOf(text.replace(', 9-layer]', ']'))).toEqual([
      'experiments.yaml:5:19 stages.g.vary.net[0]: "3-layers" is not a valid net: must be a net of defaults.nets (3-layer, 9-layer)',
      'experiments.yaml:10:32 profiles.smoke.stages.g.vary.net[1]: "5-layer" is not a valid net: must be a net of defaults.nets (3-layer, 9-layer)',
      "experiments.yaml:11:9 profiles.smoke.stages.g.seedz: unknown key (did you mean 'seeds'?)",
    ]);
  });

  it('several errors at once, sorted by position, one line each', () => {
    const text = lines('version: 2', 'stages:', '  hunt:', '    kind: search', '    samples: many', '    space: { lambda: { logUniform: [-1] } }', 'data:', '  dataset: cifar');
    expect(errorsOf(text)).toEqual([
      'experiments.yaml:1:10 version: must be 1',
      'experiments.yaml:5:14 stages.hunt.samples: must be an integer',
      'experiments.yaml:6:22 stages.hunt.space.lambda: must be one of {logUniform: [a, b]}, {uniform: [a, b]}, {choice: [values]}',
      "experiments.yaml:8:12 data.dataset: must be one of cifar10, fashion-mnist (did you mean 'cifar10'?)",
    ]);
  });

  it('semantic errors from several profiles together; a base-file error once', () => {
    const text = lines(
      'version: 1',
      'defaults:',
      '  training:',
      '    etaMin: 0.5',
      'stages:',
      '  hunt: { kind: search, space: { lambda: { uniform: [0, 1] } }, samples: 4 }',
      'profiles:',
      '  a:',
      '    stages:',
      '      hunt:',
      '        keep: 9',
      '  b:',
      '    defaults:',
      '      training: { nsUpdates: 3, nsEpochs: 2 }',
    );
    expect(errorsOf(text)).toEqual([
      "experiments.yaml:4:13 defaults.training.etaMin: etaMin 0.5 > etaMax 0.1: the cycle's lowest learning rate must not exceed its highest",
      'experiments.yaml:11:15 profiles.a.stages.hunt.keep: keeps 9 of 4 samples: keep at most samples',
      'experiments.yaml:14:30 profiles.b.defaults.training.nsUpdates: set nsEpochs or nsUpdates, not both',
    ]);
  });

  it('a bad init, a queue without url, a fractional count, a profile named default', () => {
    expect(errorsOf(lines('version: 1', 'defaults:', '  training:', '    init: normal'))).toEqual([
      'experiments.yaml:4:11 defaults.training.init: must be he or a mapping {normal: σ} with σ > 0',
    ]);
    expect(errorsOf(lines('version: 1', 'executor:', '  kind: queue'))).toEqual([
      "experiments.yaml:3:9 executor.kind: kind is 'queue' but executor.url is not set (redis://host:port or a socket path)",
    ]);
    expect(errorsOf(lines('version: 1', 'data:', '  validation: 1.5'))).toEqual([
      'experiments.yaml:3:15 data.validation: 1.5 is neither a count (an integer) nor a fraction below 1',
    ]);
    expect(errorsOf(lines('version: 1', 'profiles:', '  default: {}'))).toEqual([
      "experiments.yaml:3:3 profiles.default: the base file is the profile 'default'; give this one another name",
    ]);
  });

  it('an empty file and a missing file', () => {
    expect(errorsOf('# nothing\n')).toEqual(['experiments.yaml:1:1 the file is empty: it needs at least `version: 1`']);
    const dir = mkdtempSync(path.join(tmpdir(), 'bnlab-config-'));
    expect(() => loadStudy(path.join(dir, 'nope.yaml'))).toThrow(/nope\.yaml cannot read the study file: no such file$/);
  });

  it('names the file as the user gave it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bnlab-config-'));
    const file = path.join(dir, 'study.yaml');
    writeFileSync(file, lines('version: 1', 'stages:', '  hunt:', '    kind: search', '    space: { lambda: { uniform: [0, 1] } }', '    samples: -2'));
    expect(() => loadStudy(path.relative(process.cwd(), file))).toThrow(
      new RegExp(`^${path.relative(process.cwd(), file).replace(/\./g, '\\.')}:6:14 stages\\.hunt\\.samples: must be >= 1$`),
    );
  });
});

describe('profiles', () => {
  const text = lines(
    'version: 1',
    'defaults:',
    '  training: { nsEpochs: 5, cycles: 2, lambda: 0.01 }',
    'stages:',
    '  hunt: { kind: search, net: 9-layer, batchNorm: false, space: { lambda: { uniform: [0.001, 0.1] } }, samples: 10 }',
    '  polish: { kind: refine, from: hunt, around: { lambda: { relative: 0.1 } }, samples: 2 }',
    '  sweep: { kind: grid, vary: { sigma: [0.1, 0.01] }, training: { cycles: 3 } }',
    'profiles:',
    '  tiny:',
    '    defaults:',
    '      kernel: ts-f64',
    '      training: { nsUpdates: 7 }',
    '    stages:',
    '      sweep: { vary: { sigma: [0.5] }, training: { cycles: 1 } }',
  );
  const settings = (s: ResolvedStudy, name: string) => s.stages.find((x) => x.name === name)!.settings as Record<string, any>;

  it('mappings merge, lists replace, an override of nsUpdates drops the inherited nsEpochs', () => {
    const base = resolveStudyText(text, 'x.yaml');
    const tiny = resolveStudyText(text, 'x.yaml', 'tiny');
    expect(base.profiles).toEqual(['default', 'tiny']);
    expect(tiny.profile).toBe('tiny');
    expect(settings(base, 'hunt').base.training.ns).toEqual({ epochs: 5 });
    expect(settings(tiny, 'hunt').base.training.ns).toEqual({ updates: 7 });
    expect(settings(tiny, 'hunt').base.training.options).toMatchObject({ lambda: 0.01, cycles: 2 });
    expect(settings(base, 'sweep').factors).toEqual([{ name: 'sigma', values: [0.1, 0.01] }]);
    expect(settings(tiny, 'sweep').factors).toEqual([{ name: 'sigma', values: [0.5] }]);
    expect(tiny.kernel).toBe('ts-f64');
    expect(base.kernel).toBe('auto');
    // the stage's own training block, overridden in the profile only
    expect(settings(base, 'sweep').base.training.options.cycles).toBe(3);
    expect(settings(tiny, 'sweep').base.training.options.cycles).toBe(1);
  });

  it('a refine takes the net of the stage it reads', () => {
    const s = resolveStudyText(text, 'x.yaml');
    expect(settings(s, 'hunt').base.net).toEqual({ name: '9-layer', hidden: [50, 30, 20, 20, 10, 10, 10, 10], batchNorm: false });
    expect(settings(s, 'polish').base.net).toEqual(settings(s, 'hunt').base.net);
  });

  it('BNLAB_QUEUE selects the queue executor; workers come from the file', () => {
    const t = lines('version: 1', 'executor: { workers: 3 }');
    expect(resolveStudyText(t, 'x.yaml').executor).toEqual({ kind: 'local' });
    expect(resolveStudyText(t, 'x.yaml', 'default', { BNLAB_QUEUE: 'redis://127.0.0.1:6390' }).executor).toEqual({
      kind: 'queue',
      url: 'redis://127.0.0.1:6390',
    });
    expect(resolveStudyText(t, 'x.yaml').workers).toBe(3);
  });

  it('every profile is checked whichever is asked for', () => {
    const t = lines('version: 1', 'stages:', '  s: { kind: search, space: { lambda: { uniform: [0, 1] } }, samples: 2 }', 'profiles:', '  a:', '    stages:', '      s: { space: { lambda: { uniform: [1, 0] } } }');
    expect(() => resolveAllProfiles(t, 'x.yaml', {})).toThrow(/^x\.yaml:7:40 profiles\.a\.stages\.s\.space\.lambda\.uniform: empty range/);
    expect(errorsOf(t, 'default')).toHaveLength(1);
  });
});

describe('profileName', () => {
  it("prefers Nx's configuration, then the flag, then default", () => {
    expect(profileName(undefined, {})).toBe('default');
    expect(profileName('smoke', {})).toBe('smoke');
    expect(profileName('default', { NX_TASK_TARGET_CONFIGURATION: 'nope' })).toBe('nope');
    expect(profileName(undefined, { NX_TASK_TARGET_CONFIGURATION: '' })).toBe('default');
  });
});
