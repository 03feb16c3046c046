// `node packages/pipeline/dist/nx/store-check-main.js`: the stages' trial-store runtime input (Nx runs
// it in the workspace root). A broken experiments.yaml prints its errors: the graph reports them anyway.
import path from 'node:path';
import { loadStudies } from '../config/load.js';
import { storeCheckLines } from './store-check.js';

const root = process.cwd();
try {
  console.log(storeCheckLines(Object.keys(loadStudies(path.join(root, 'experiments.yaml'))).sort(), root).join('\n'));
} catch (err) {
  console.log(`unreadable study: ${(err as Error).message}`);
}
