// `node packages/pipeline/dist/nx/store-check-main.js`: the stages' trial-store runtime input (Nx runs
// it in the workspace root). One store serves every profile, so one line. `--records`: the report's,
// with a digest of every record.
import { storeCheckLine } from './store-check.js';

console.log(storeCheckLine(process.cwd(), process.argv.includes('--records')));
