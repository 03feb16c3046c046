// `node packages/pipeline/dist/nx/data-stamp-main.js`: the data target's runtime input (Nx runs it in
// the workspace root). A broken experiments.yaml prints its errors: the graph reports them anyway.
import path from 'node:path';
import { loadStudies } from '../config/load.js';
import { dataStampLines } from './data-stamp.js';

const root = process.cwd();
try {
  const studies = loadStudies(path.join(root, 'experiments.yaml'));
  console.log(dataStampLines(Object.values(studies), root, process.env).join('\n'));
} catch (err) {
  console.log(`unreadable study: ${(err as Error).message}`);
}
