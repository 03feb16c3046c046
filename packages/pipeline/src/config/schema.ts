// The JSON Schema of experiments.yaml (packages/pipeline/experiments.schema.json) is data: ajv checks
// the file against it, and the built-in defaults are read from its `default` keywords, so the schema
// an editor shows and what bnlab assumes cannot drift apart.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { closest } from './errors.js';

export type PathSegment = string | number;

/** A schema violation, located by its path in the document; `at: 'key'` points at a key rather than its value. */
export interface SchemaProblem {
  path: PathSegment[];
  at: 'key' | 'value';
  message: string;
}

type SchemaNode = Record<string, unknown>;

export const schemaFile = new URL('../../experiments.schema.json', import.meta.url);

let cached: { schema: SchemaNode; validate: ValidateFunction } | undefined;
let ajvInstance: Ajv | undefined;

function compiled(): { schema: SchemaNode; validate: ValidateFunction } {
  if (!cached) {
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as SchemaNode;
    // strict: a typo in the schema itself is an error; errorMessage is an annotation (VS Code reads it too).
    const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
    ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
    // limitHint: what a sane value looks like, added to a maximum/minItems/maxItems/maxProperties error.
    ajv.addKeyword({ keyword: 'limitHint', schemaType: 'string' });
    cached = { schema, validate: ajv.compile(schema) };
    ajvInstance = ajv;
  }
  return cached;
}

export function schemaVersion(): number {
  const version = (compiled().schema.properties as Record<string, SchemaNode>).version;
  return version.const as number;
}

/** Every violation of `value` against the schema's definition `name` (a stage kind's keys, e.g. "kind-grid"). */
export function validateFragment(name: string, value: unknown): SchemaProblem[] {
  const { schema } = compiled();
  const v = ajvInstance!.getSchema(`${schema.$id as string}#/definitions/${name}`);
  if (!v) throw new Error(`experiments.schema.json has no definition '${name}'`);
  if (v(value)) return [];
  return problemsOf(v.errors ?? []);
}

/** Every schema violation of `doc` (the whole file as plain data). */
export function validateDocument(doc: unknown): SchemaProblem[] {
  const { validate } = compiled();
  if (validate(doc)) return [];
  return problemsOf(validate.errors ?? []);
}

function problemsOf(errors: ErrorObject[]): SchemaProblem[] {
  // An anyOf with an errorMessage speaks for all the failures of its branches.
  const collapsed = errors.filter((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && typeof e.parentSchema?.errorMessage === 'string');
  const problems: SchemaProblem[] = [];
  for (const e of errors) {
    if (collapsed.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`))) continue;
    if (e.keyword === 'propertyNames') continue; // its inner error (with propertyName) says which key
    if (e.keyword === 'if') continue; // the `then` branch's own errors say what is wrong
    const path = pointerToPath(e.instancePath);
    const p = e.params as Record<string, unknown>;
    const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
    if (propertyName !== undefined) {
      problems.push({ path: [...path, propertyName], at: 'key', message: `'${propertyName}' is not a valid name (${describePattern(e)})` });
      continue;
    }
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = p.additionalProperty as string;
        const known = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
        const near = closest(key, known);
        const hint = near !== undefined ? ` (did you mean '${near}'?)` : known.length ? ` (known keys: ${known.join(', ')})` : '';
        problems.push({ path: [...path, key], at: 'key', message: `unknown key${hint}` });
        break;
      }
      case 'required':
        problems.push({ path, at: 'value', message: `missing required key '${p.missingProperty as string}'` });
        break;
      case 'type':
        problems.push({ path, at: 'value', message: `must be ${typeName(p.type as string)}` });
        break;
      case 'const':
        problems.push({ path, at: 'value', message: `must be ${JSON.stringify(p.allowedValue)}` });
        break;
      case 'enum': {
        const allowed = (p.allowedValues as unknown[]).map((v) => String(v));
        const near = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
        problems.push({
          path,
          at: 'value',
          message: `must be one of ${allowed.join(', ')}${near !== undefined ? ` (did you mean '${near}'?)` : ''}`,
        });
        break;
      }
      case 'uniqueItems':
        // ajv reports the pair as (i, j) with i < j: point at the later one.
        problems.push({
          path: [...path, Math.max(p.i as number, p.j as number)],
          at: 'value',
          message: `repeats item [${Math.min(p.i as number, p.j as number)}] (items must be unique)`,
        });
        break;
      case 'anyOf':
      case 'oneOf':
        problems.push({ path, at: 'value', message: (e.parentSchema?.errorMessage as string | undefined) ?? e.message ?? e.keyword });
        break;
      default: {
        // A key's own errorMessage (a hint) replaces ajv's wording; a limit gets its limitHint.
        const hint = LIMIT_KEYWORDS.has(e.keyword) ? (e.parentSchema?.limitHint as string | undefined) : undefined;
        const own = e.parentSchema?.errorMessage as string | undefined;
        problems.push({ path, at: 'value', message: own ?? `${e.message ?? e.keyword}${hint ? ` (${hint})` : ''}` });
      }
    }
  }
  return problems;
}

const LIMIT_KEYWORDS = new Set(['maximum', 'minItems', 'maxItems', 'maxProperties']);

function typeName(t: string): string {
  const names: Record<string, string> = {
    integer: 'an integer',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a mapping (key: value)',
    array: 'a list',
    null: 'null',
  };
  return t.split(',').map((x) => names[x] ?? x).join(' or ');
}

function describePattern(e: ErrorObject): string {
  const pattern = (e.params as { pattern?: string }).pattern;
  return pattern ? `must match ${pattern}` : (e.message ?? e.keyword);
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * The built-in defaults: a document made of the schema's `default` keywords (a property with a
 * `default` takes it whole; otherwise its sub-properties are collected). Stage `training` blocks have
 * no default, so they inherit defaults.training rather than shadowing it.
 */
export function schemaDefaults(): Record<string, unknown> {
  const { schema } = compiled();
  const resolve = (node: SchemaNode): SchemaNode => {
    const ref = node.$ref;
    if (typeof ref !== 'string') return node;
    const target = ref.replace(/^#\//, '').split('/').reduce<SchemaNode>((n, k) => n[k] as SchemaNode, schema);
    return resolve(target);
  };
  const collect = (node: SchemaNode): unknown => {
    if ('default' in node) return structuredClone(node.default);
    const props = resolve(node).properties as Record<string, SchemaNode> | undefined;
    if (!props) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) {
      const d = collect(v);
      if (d !== undefined) out[k] = d;
    }
    return Object.keys(out).length ? out : undefined;
  };
  const out = collect(schema) as Record<string, unknown>;
  delete out.version;
  return out;
}
