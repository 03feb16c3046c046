// One-off migration (issue 17): adds the integrity checksum to the committed trial records and stage
// results written before bnlab had one, without retraining or changing any hash. A record is
// rewritten only if it passes every other check (schema, hash, identity): readRecord does exactly
// that, as any `bnlab run` would. A stage result gets its checksum only if it matches its schema;
// that its content is what the records aggregate to is checked by test/published-rederive.test.ts.
// Usage (after `npm run build`): node scripts/migrate-checksums.mjs [workspace]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const ws = path.resolve(process.argv[2] ?? root);
const dist = (p) => import(path.join(root, 'packages/pipeline/dist', p));
const { listRecords, readRecord } = await dist('trials/store.js');
const { resultText } = await dist('stages/context.js');
const { schemaErrors } = await dist('stages/schemas.js');
const { hashOf } = await dist('util/canonical-json.js');
const { writeFileAtomic } = await dist('util/atomic-write.js');

let failed = 0;
for (const profile of readdirSync(path.join(ws, 'results')).sort()) {
  const trials = path.join(ws, 'results', profile, 'trials');
  let records = 0;
  let sealed = 0;
  for (const hash of listRecords(trials)) {
    const file = path.join(trials, hash.slice(0, 2), `${hash}.json`);
    const before = readFileSync(file, 'utf8');
    const r = readRecord(trials, hash, (line) => { console.error(line); failed++; });
    if (!r) continue;
    records++;
    if (!before.includes('"checksum"')) sealed++;
  }
  let results = 0;
  for (const stage of readdirSync(path.join(ws, 'results', profile)).sort()) {
    const file = path.join(ws, 'results', profile, stage, 'result.json');
    if (!existsSync(file)) continue;
    const value = JSON.parse(readFileSync(file, 'utf8'));
    if (value.checksum !== undefined) continue;
    const errors = schemaErrors(`result-${stage}`, value);
    if (errors.length > 0) {
      console.error(`${file}: not a valid ${stage} result (${errors[0]}); left alone`);
      failed++;
      continue;
    }
    writeFileAtomic(file, resultText({ ...value, checksum: hashOf(value) }));
    results++;
  }
  console.log(`${profile}: ${records} records valid, ${sealed} given a checksum; ${results} stage results given a checksum`);
}
process.exit(failed > 0 ? 1 : 0);
