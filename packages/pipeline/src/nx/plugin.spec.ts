// createNodesV2 and preTasksExecution on a temporary workspace directory, called as Nx calls them.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodesV2, preTasksExecution } from './plugin.js';

const shipped = readFileSync(fileURLToPath(new URL('../../../../experiments.yaml', import.meta.url)), 'utf8');

function workspace(study: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'bnlab-nx-'));
  writeFileSync(path.join(root, 'experiments.yaml'), study);
  return root;
}

const [pattern, createNodes] = createNodesV2;
const nodes = (root: string, files = ['experiments.yaml']) => createNodes(files, undefined, { workspaceRoot: root, nxJsonConfiguration: {} });
const preTasks = (root: string, argv: string[]) =>
  preTasksExecution(undefined, { id: 'x', workspaceRoot: root, nxJsonConfiguration: {}, argv: ['node', 'nx', ...argv] });

describe('createNodesV2', () => {
  it('matches the root experiments.yaml and infers the pipeline project from the shipped file', async () => {
    expect(pattern).toBe('experiments.yaml');
    const result = await nodes(workspace(shipped));
    expect(result).toHaveLength(1);
    const [file, { projects }] = result[0];
    expect(file).toBe('experiments.yaml');
    const project = projects!['.'];
    expect(project.name).toBe('pipeline');
    expect(Object.keys(project.targets!)).toEqual([
      'compile', 'data', 'gradcheck', 'curves', 'coarse', 'fine', 'final', 'sigma', 'learning-rate',
      'width-depth', 'lambda', 'bn-placement', 'dropout', 'jitter', 'combine', 'best', 'improvements', 'report', 'all',
    ]);
    expect(Object.keys(project.targets!.coarse.configurations!)).toEqual(['default', 'smoke', 'fashion-mnist']);
  });

  it('ignores study files elsewhere in the tree', async () => {
    expect(await nodes(workspace(shipped), ['test/fixtures/experiments.yaml'])).toEqual([]);
  });

  it('puts the located errors of a broken file into the thrown message', async () => {
    const root = workspace(shipped.replace('    samples: 50\n', '    samples: fifty\n').replace('    keep: 3\n', '    kep: 3\n'));
    const lines = shipped.split('\n');
    const samplesLine = lines.indexOf('    samples: 50') + 1;
    const keepLine = lines.indexOf('    keep: 3') + 1;
    await expect(async () => nodes(root)).rejects.toThrow(
      [
        'bnlab: experiments.yaml is invalid:',
        `experiments.yaml:${samplesLine}:14 stages.coarse.samples: must be an integer`,
        `experiments.yaml:${keepLine}:5 stages.coarse.kep: unknown key (did you mean 'keep'?)`,
      ].join('\n'),
    );
  });
});

describe('preTasksExecution', () => {
  const root = workspace(shipped);
  it('rejects an unknown profile for the pipeline project, naming the known ones', () => {
    expect(() => preTasks(root, ['run', 'pipeline:all', '-c', 'nope'])).toThrow(
      "bnlab: unknown profile 'nope' (nx -c); experiments.yaml defines default, smoke, fashion-mnist",
    );
    expect(() => preTasks(root, ['run', 'pipeline:coarse:smok'])).toThrow("unknown profile 'smok'");
  });
  it('lets known profiles and other projects through', () => {
    expect(preTasks(root, ['run', 'pipeline:all', '-c', 'smoke'])).toBeUndefined();
    expect(preTasks(root, ['run', 'pipeline:all'])).toBeUndefined();
    expect(preTasks(root, ['run', '@bnlab/engine:build', '-c', 'production'])).toBeUndefined();
  });
});
