// Regenerates packages/pipeline/experiments.schema.json's generated parts (training options, stage
// kinds) from the built pipeline: run `npm run build` first (npm run schema does both).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateSchema, schemaText } from '../packages/pipeline/dist/config/schema-gen.js';

const file = fileURLToPath(new URL('../packages/pipeline/experiments.schema.json', import.meta.url));
writeFileSync(file, schemaText(generateSchema(JSON.parse(readFileSync(file, 'utf8')))));
console.log(`wrote ${file}`);
