import { describe, expect, it } from 'vitest';
import { mentionsPipeline, requestedConfiguration } from './configuration-arg.js';

describe('requestedConfiguration', () => {
  it('reads -c, --configuration and project:target:configuration', () => {
    expect(requestedConfiguration(['run', 'pipeline:all', '-c', 'smoke'])).toBe('smoke');
    expect(requestedConfiguration(['run', 'pipeline:all', '--configuration=nope'])).toBe('nope');
    expect(requestedConfiguration(['run', 'pipeline:all', '--configuration', 'x'])).toBe('x');
    expect(requestedConfiguration(['run', 'pipeline:all', '-c=y'])).toBe('y');
    expect(requestedConfiguration(['run', 'pipeline:coarse:smoke'])).toBe('smoke');
    expect(requestedConfiguration(['run', 'pipeline:coarse'])).toBeUndefined();
  });
});

describe('mentionsPipeline', () => {
  it('recognises the pipeline project however it is named', () => {
    expect(mentionsPipeline(['run', 'pipeline:coarse'])).toBe(true);
    expect(mentionsPipeline(['coarse', 'pipeline', '-c', 'x'])).toBe(true);
    expect(mentionsPipeline(['run-many', '-t', 'coarse', '-p', 'pipeline,@bnlab/engine'])).toBe(true);
    expect(mentionsPipeline(['run-many', '-t', 'build', '--projects=@bnlab/engine'])).toBe(false);
    expect(mentionsPipeline(['run', '@bnlab/pipeline:build', '-c', 'production'])).toBe(false);
  });
});
