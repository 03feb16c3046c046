// The generated parts of experiments.schema.json: the training block (from the engine's option list and
// the pipeline's options), defaults.training's default, and one definition per stage kind (from each
// kind's module). The rest of the schema is written by hand. `npm run schema` writes the file;
// schema-gen.spec.ts fails when the committed file is out of date.
import { KINDS } from '../kinds/registry.js';
import { trainingDefaults, trainingSchema } from './options.js';

type Node = Record<string, unknown>;

/** `committed` with every generated definition replaced (a new object; key order fixed). */
export function generateSchema(committed: Node): Node {
  const schema = structuredClone(committed);
  const defs = schema.definitions as Record<string, Node>;
  defs.training = trainingSchema();
  const defaults = defs.defaults.properties as Record<string, Node>;
  defaults.training = { $ref: '#/definitions/training', default: trainingDefaults() };
  const kindNames = KINDS.map((k) => k.name);
  defs.stage = {
    description: `A stage: its kind (${kindNames.join(', ')}) and the kind's keys.`,
    type: 'object',
    required: ['kind'],
    properties: { kind: { description: 'What the stage does.', enum: kindNames } },
    allOf: KINDS.map((k) => ({ if: { required: ['kind'], properties: { kind: { const: k.name } } }, then: { $ref: `#/definitions/kind-${k.name}` } })),
  };
  defs.stageOverride = {
    description: "A profile's overrides of a stage (checked against the stage's kind after merging).",
    type: 'object',
    properties: { kind: { enum: kindNames } },
  };
  for (const k of KINDS) {
    defs[`kind-${k.name}`] = {
      description: k.schema.description,
      type: 'object',
      additionalProperties: false,
      ...(k.schema.required ? { required: k.schema.required } : {}),
      properties: { kind: { const: k.name }, ...k.schema.properties },
    };
  }
  for (const name of Object.keys(defs)) if (name.startsWith('kind-') && !kindNames.includes(name.slice(5))) delete defs[name];
  return schema;
}

export function schemaText(schema: Node): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
