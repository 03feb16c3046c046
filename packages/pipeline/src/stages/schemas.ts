// The JSON Schemas of the stage results and trial records (packages/pipeline/schemas/result-*.schema.json),
// compiled once with ajv. Results are validated before they are written and records when they are read.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

// Same depth from src/stages and dist/stages.
export const schemaDir = fileURLToPath(new URL('../../schemas/', import.meta.url));

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function instance(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, strict: true });
    // Only the result shapes: other commands' schemas in the folder are theirs to load.
    for (const f of readdirSync(schemaDir).filter((f) => f.startsWith('result-') && f.endsWith('.schema.json')).sort()) {
      ajv.addSchema(JSON.parse(readFileSync(schemaDir + f, 'utf8')));
    }
  }
  return ajv;
}

/** Every violation of schemas/<name>.schema.json, one line each (`/path: message`); [] when valid. */
export function schemaErrors(name: string, value: unknown): string[] {
  let validate = compiled.get(name);
  if (!validate) {
    const a = instance();
    if (!a.getSchema(`${name}.schema.json`)) a.addSchema(JSON.parse(readFileSync(`${schemaDir}${name}.schema.json`, 'utf8')));
    validate = a.getSchema(`${name}.schema.json`);
    if (!validate) throw new Error(`no schema ${name}.schema.json in ${schemaDir}`);
    compiled.set(name, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}
