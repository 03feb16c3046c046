// The data target's runtime input: for every data source the profiles use, each file's name, size
// and modification time. Cheap (no file is read), and it changes when the source files do, so the
// data stage re-runs and re-fingerprints them; if the prepared data is the same, its result.json is
// too, and the stages downstream stay cached.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { resolveCifar10Dir } from '../data/cifar10.js';
import { resolveFashionMnistDir } from '../data/fashion-mnist.js';
import type { ResolvedStudy } from '../config/types.js';

export function sourceDir(study: ResolvedStudy, workspaceRoot: string, env: Record<string, string | undefined>): string {
  return study.data.dataset === 'cifar10'
    ? resolveCifar10Dir(study.data.dir, env, workspaceRoot).dir
    : resolveFashionMnistDir(study.data.dir, workspaceRoot);
}

/** Sorted lines `dataset dir: name size mtimeMs …` (or `absent`), one per distinct source. */
export function dataStampLines(studies: ResolvedStudy[], workspaceRoot: string, env: Record<string, string | undefined>): string[] {
  const lines = new Set<string>();
  for (const study of studies) {
    const dir = sourceDir(study, workspaceRoot, env);
    let files: string;
    try {
      files = readdirSync(dir)
        .sort()
        .map((name) => {
          const st = statSync(path.join(dir, name));
          return `${name} ${st.size} ${st.mtimeMs}`;
        })
        .join(', ');
    } catch {
      files = 'absent'; // the data stage then downloads it or says where to put it
    }
    lines.add(`${study.data.dataset} ${dir}: ${files}`);
  }
  return [...lines].sort();
}
