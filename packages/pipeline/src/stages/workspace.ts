// Where a study lives: the workspace root (env BNLAB_WORKSPACE, else the nearest directory at or
// above the cwd holding nx.json) holds experiments.yaml, results/ and the trial store; --config may
// name another study file (results still go under the workspace).
import path from 'node:path';
import { engineIdentity, defaultKernelId } from '@bnlab/engine';
import { loadStudy, profileName } from '../config/index.js';
import type { ResolvedStudy } from '../config/types.js';
import { findWorkspaceRoot } from '../data/index.js';
import type { StageEnv } from './context.js';

export function workspaceRoot(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return env.BNLAB_WORKSPACE ? path.resolve(cwd, env.BNLAB_WORKSPACE) : findWorkspaceRoot(cwd);
}

/** The kernel trials use: the study's, 'auto' meaning this machine's default (fastest) kernel. */
export function resolveKernel(kernel: string): string {
  return kernel === 'auto' ? defaultKernelId() : kernel;
}

export interface StudyFlags {
  profile?: string;
  config?: string;
  kernel?: string;
}

/** Loads the study under the chosen profile (--kernel replaces the study's kernel, digests included). */
export function openStudy(flags: StudyFlags, env: NodeJS.ProcessEnv = process.env): StageEnv & { configFile: string } {
  const workspace = workspaceRoot(env);
  const configFile = flags.config ? path.resolve(flags.config) : path.join(workspace, 'experiments.yaml');
  const loaded = loadStudy(configFile, profileName(flags.profile, env), env);
  const study: ResolvedStudy = flags.kernel ? { ...loaded, kernel: flags.kernel } : loaded;
  const kernel = resolveKernel(study.kernel);
  return { workspace, study, kernel, engine: engineIdentity(kernel), configFile };
}
