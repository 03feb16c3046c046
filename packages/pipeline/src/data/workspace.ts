// The workspace root: the nearest directory at or above `start` holding nx.json (the monorepo's root),
// else `start` itself. The CLI passes the cwd; data and caches live under the root it returns.
import { existsSync } from 'node:fs';
import path from 'node:path';

export function findWorkspaceRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start);
  }
}
