// Other data never overwrites a profile's results silently: before `bnlab run` touches the data
// stage, the data it would prepare is compared with results/<profile>/data/result.json in the
// working tree. Same configuration but other fingerprints means other data (a full CIFAR-10 where
// the published results used the subset, say): that is said before any work, and the run stops
// unless forced. No result yet, a deleted one, or a changed data configuration is not a conflict.
import { existsSync, readFileSync } from 'node:fs';
import type { DataStageResult } from '@bnlab/report';
import { stageDigest } from '../config/index.js';
import { resultFile, shown, type StageEnv } from './context.js';
import { prepare } from './data.js';

/** The conflict in one line, or undefined when there is none. */
export async function dataConflict(env: StageEnv, log: (line: string) => void): Promise<string | undefined> {
  const file = resultFile(env.workspace, env.study.profile, 'data');
  if (!existsSync(file)) return undefined;
  let published: DataStageResult;
  try {
    published = JSON.parse(readFileSync(file, 'utf8')) as DataStageResult;
  } catch {
    return undefined; // not a result at all: the data stage reports and replaces it
  }
  if (published.configHash !== stageDigest(env.study, 'data') || !Array.isArray(published.preparations)) return undefined;
  for (const p of published.preparations) {
    const now = await prepare(env, p.name, log);
    if (now.fingerprint === p.fingerprint) continue;
    return (
      `the data in ${shown(env, now.source)} is not the data of ${shown(env, file)} ('${p.name}' fingerprint ` +
      `${now.fingerprint.slice(0, 12)}…, not ${p.fingerprint.slice(0, 12)}…): running would replace profile '${env.study.profile}''s ` +
      `results. Give the other data a profile of its own (with its own data.dir), or pass --force (BNLAB_FORCE=1 under nx) to replace them`
    );
  }
  return undefined;
}
