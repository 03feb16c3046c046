import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from './errors.js';
import { loadStudy, profileName, resolveAllProfiles, resolveStudyText } from './load.js';

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

  it('wrong type', () => {
    expect(errorsOf(lines('version: 1', 'stages:', '  coarse:', '    samples: 4.5'))).toEqual([
      'experiments.yaml:4:14 stages.coarse.samples: must be an integer',
    ]);
    expect(errorsOf(lines('version: 1', 'stages:', '  sigma:', '    sigmas: 0.1'))).toEqual([
      'experiments.yaml:4:13 stages.sigma.sigmas: must be a list',
    ]);
  });

  it('unknown key, with "did you mean" when one is close and the known keys otherwise', () => {
    expect(errorsOf(lines('version: 1', 'stages:', '  coarse:', '    smaples: 4', '    colour: red'))).toEqual([
      "experiments.yaml:4:5 stages.coarse.smaples: unknown key (did you mean 'samples'?)",
      'experiments.yaml:5:5 stages.coarse.colour: unknown key (known keys: net, batchNorm, exponents, samples, seed, trialSeed, keep, training)',
    ]);
    expect(errorsOf(lines('version: 1', 'defaults:', '  training:', '    lamda: 0.1'))).toEqual([
      "experiments.yaml:4:5 defaults.training.lamda: unknown key (did you mean 'lambda'?)",
    ]);
  });

  it('negative λ, in defaults and in a stage', () => {
    expect(errorsOf(lines('version: 1', 'defaults:', '  training:', '    lambda: -0.1'))).toEqual([
      'experiments.yaml:4:13 defaults.training.lambda: must be >= 0',
    ]);
    expect(errorsOf(lines('version: 1', 'stages:', '  curves:', '    training: { lambda: -1e-3 }'))).toEqual([
      'experiments.yaml:4:25 stages.curves.training.lambda: must be >= 0',
    ]);
  });

  it('empty and inverted ranges', () => {
    expect(errorsOf(lines('version: 1', 'stages:', '  coarse:', '    exponents: [-1, -5]'))).toEqual([
      'experiments.yaml:4:16 stages.coarse.exponents: empty range [-1, -5]: the first exponent must be below the second',
    ]);
    expect(errorsOf(lines('version: 1', 'stages:', '  coarse:', '    exponents: [-3, -3]'))[0]).toContain('empty range [-3, -3]');
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
    const text = lines(
      'version: 1',
      'stages:',
      '  curves:',
      '    nets: [3-layers, 9-layer, 9-layer]',
      'profiles:',
      '  smoke:',
      '    stages:',
      '      final:',
      '        nets: [9-layer, 5-layer]',
    );
    expect(errorsOf(text)).toEqual(['experiments.yaml:4:31 stages.curves.nets[2]: repeats item [1] (items must be unique)']);
    expect(errorsOf(text.replace(', 9-layer]', ']'))).toEqual([
      "experiments.yaml:4:12 stages.curves.nets[0]: unknown net '3-layers' (did you mean '3-layer'?): defaults.nets defines 3-layer, 9-layer",
      "experiments.yaml:9:25 profiles.smoke.stages.final.nets[1]: unknown net '5-layer' (did you mean '3-layer'?): defaults.nets defines 3-layer, 9-layer",
    ]);
  });

  it('several errors at once, sorted by position, one line each', () => {
    const text = lines(
      'version: 2',
      'stages:',
      '  fine:',
      '    samplesPerCentre: many',
      '  coarse:',
      '    exponents: [-1]',
      'data:',
      '  dataset: cifar',
    );
    expect(errorsOf(text)).toEqual([
      'experiments.yaml:1:10 version: must be 1',
      'experiments.yaml:4:23 stages.fine.samplesPerCentre: must be an integer',
      'experiments.yaml:6:16 stages.coarse.exponents: must NOT have fewer than 2 items',
      "experiments.yaml:8:12 data.dataset: must be one of cifar10, fashion-mnist (did you mean 'cifar10'?)",
    ]);
  });

  it('semantic errors from several profiles together; a base-file error once', () => {
    const text = lines(
      'version: 1',
      'defaults:',
      '  training:',
      '    etaMin: 0.5',
      'profiles:',
      '  a:',
      '    stages:',
      '      coarse:',
      '        keep: 9',
      '        samples: 4',
      '  b:',
      '    defaults:',
      '      training: { nsUpdates: 3, nsEpochs: 2 }',
    );
    expect(errorsOf(text)).toEqual([
      "experiments.yaml:4:13 defaults.training.etaMin: etaMin 0.5 > etaMax 0.1: the cycle's lowest learning rate must not exceed its highest",
      'experiments.yaml:9:15 profiles.a.stages.coarse.keep: keeps 9 of 4 samples: keep at most samples',
      'experiments.yaml:13:30 profiles.b.defaults.training.nsUpdates: set nsEpochs or nsUpdates, not both',
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
    writeFileSync(file, lines('version: 1', 'stages:', '  coarse:', '    samples: -2'));
    expect(() => loadStudy(path.relative(process.cwd(), file))).toThrow(
      new RegExp(`^${path.relative(process.cwd(), file).replace(/\./g, '\\.')}:4:14 stages\\.coarse\\.samples: must be >= 1$`),
    );
  });
});

describe('profiles', () => {
  const text = lines(
    'version: 1',
    'defaults:',
    '  training: { nsEpochs: 5, cycles: 2, lambda: 0.01 }',
    'stages:',
    '  coarse: { net: 9-layer, batchNorm: false, samples: 10 }',
    '  sigma: { sigmas: [0.1, 0.01] }',
    'profiles:',
    '  tiny:',
    '    defaults:',
    '      kernel: ts-f64',
    '      training: { nsUpdates: 7 }',
    '    stages:',
    '      sigma: { sigmas: [0.5] }',
    '      final: { training: { cycles: 1 } }',
  );

  it('mappings merge, lists replace, an override of nsUpdates drops the inherited nsEpochs', () => {
    const base = resolveStudyText(text, 'x.yaml');
    const tiny = resolveStudyText(text, 'x.yaml', 'tiny');
    expect(base.profiles).toEqual(['default', 'tiny']);
    expect(tiny.profile).toBe('tiny');
    expect(base.stages.curves.training.ns).toEqual({ epochs: 5 });
    expect(tiny.stages.curves.training.ns).toEqual({ updates: 7 });
    expect(tiny.stages.curves.training.lambda).toBe(0.01);
    expect(tiny.stages.curves.training.cycles).toBe(2);
    expect(base.stages.sigma.sigmas).toEqual([0.1, 0.01]);
    expect(tiny.stages.sigma.sigmas).toEqual([0.5]);
    expect(tiny.kernel).toBe('ts-f64');
    expect(base.kernel).toBe('auto');
    // final's own default (3 cycles) is overridden in the profile only
    expect(base.stages.final.training.cycles).toBe(3);
    expect(tiny.stages.final.training.cycles).toBe(1);
    expect(tiny.stages.coarse.samples).toBe(10);
  });

  it('fine takes the coarse net unless it names one; search stages carry no λ', () => {
    const s = resolveStudyText(text, 'x.yaml');
    expect(s.stages.coarse.net).toEqual({ name: '9-layer', hidden: [50, 30, 20, 20, 10, 10, 10, 10], batchNorm: false });
    expect(s.stages.fine.net).toEqual(s.stages.coarse.net);
    expect('lambda' in s.stages.coarse.training).toBe(false);
    expect('lambda' in s.stages.final.training).toBe(false);
    const own = resolveStudyText(text.replace('profiles:', 'profiles:\n  x: { stages: { fine: { net: 3-layer } } }'), 'x.yaml', 'x');
    expect(own.stages.fine.net).toEqual({ name: '3-layer', hidden: [50, 50], batchNorm: false });
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

  it('nets are net × batch norm in the order written', () => {
    const s = resolveStudyText(lines('version: 1', 'stages:', '  curves: { nets: [9-layer, 3-layer], batchNorm: [true, false] }'), 'x.yaml');
    expect(s.stages.curves.nets.map((n) => `${n.name}/${n.batchNorm}`)).toEqual(['9-layer/true', '9-layer/false', '3-layer/true', '3-layer/false']);
  });

  it('every profile is checked whichever is asked for', () => {
    const t = lines('version: 1', 'profiles:', '  a:', '    stages:', '      coarse: { exponents: [0, -2] }');
    expect(() => resolveAllProfiles(t, 'x.yaml', {})).toThrow(/^x\.yaml:5:28 profiles\.a\.stages\.coarse\.exponents: empty range/);
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
