// The Nx plugin (registered in nx.json): experiments.yaml at the workspace root → the `pipeline`
// project, one target per stage plus `all`. Thin on purpose: targets.ts builds the targets.
// Nx runs plugins in a worker whose console is hidden, so configuration errors travel in the thrown
// error's message, where `nx run` shows them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CreateNodesV2, PreTasksExecution } from 'nx/src/project-graph/plugins/index.js';
import { ConfigError } from '../config/errors.js';
import { resolveAllProfiles } from '../config/load.js';
import { mentionsPipeline, requestedConfiguration } from './configuration-arg.js';
import { defaultKernelId } from '@bnlab/engine';
import { pipelineProject, resolveAutoKernel } from './targets.js';

const STUDY_FILE = 'experiments.yaml';

export const createNodesV2: CreateNodesV2 = [
  STUDY_FILE,
  (files, _options, context) =>
    files
      .filter((f) => f === STUDY_FILE) // the workspace root's study only
      .map((file) => {
        const project = pipelineProject(resolveAutoKernel(readStudies(context.workspaceRoot), defaultKernelId()));
        return [file, { projects: { [project.root]: project } }] as const;
      }),
];

/**
 * Rejects `-c <unknown profile>` for the pipeline project: Nx itself would silently run (or serve
 * from its cache) the default configuration instead.
 */
export const preTasksExecution: PreTasksExecution = (_options, context) => {
  const argv = context.argv.slice(2);
  const configuration = requestedConfiguration(argv);
  if (configuration === undefined || !mentionsPipeline(argv)) return;
  const profiles = Object.keys(readStudies(context.workspaceRoot));
  if (!profiles.includes(configuration)) {
    throw new Error(`bnlab: unknown profile '${configuration}' (nx -c); ${STUDY_FILE} defines ${profiles.join(', ')}`);
  }
};

function readStudies(workspaceRoot: string) {
  const text = readFileSync(path.join(workspaceRoot, STUDY_FILE), 'utf8');
  try {
    // No env: the graph must not depend on it (BNLAB_QUEUE only picks an executor, never hashed).
    return resolveAllProfiles(text, STUDY_FILE, {});
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(`bnlab: ${STUDY_FILE} is invalid:\n${err.message}`);
    throw err;
  }
}

/** Nx 23 prefers this name; the batch signature is the same. */
export const createNodes = createNodesV2;
