// experiments.schema.json is data, versioned in the repository; its training block and stage kinds are
// generated from the engine's option list and the kinds' modules. This fails when the committed file
// is out of date (run `npm run schema`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRAINING_OPTIONS } from '@bnlab/engine';
import { KINDS } from '../kinds/registry.js';
import { generateSchema, schemaText } from './schema-gen.js';
import { schemaFile } from './schema.js';

describe('experiments.schema.json', () => {
  const committed = readFileSync(schemaFile, 'utf8');
  const schema = JSON.parse(committed);

  it('is what the option list and the kinds generate (npm run schema)', () => {
    expect(committed).toBe(schemaText(generateSchema(schema)));
  });

  it('has one training key per engine option, with its range, and one definition per kind', () => {
    const training = schema.definitions.training.properties;
    for (const o of TRAINING_OPTIONS) {
      expect(training[o.name], o.name).toBeDefined();
      for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const) expect(training[o.name][k]).toBe(o[k]);
    }
    expect(schema.definitions.stage.properties.kind.enum).toEqual(KINDS.map((k) => k.name));
    for (const k of KINDS) expect(schema.definitions[`kind-${k.name}`].properties.kind).toEqual({ const: k.name });
  });

  it('a new engine option at the end of the list is one more training key and nothing else', () => {
    const extra = { ...TRAINING_OPTIONS[0], name: 'dropoutX', minimum: 0, maximum: 0.9 };
    (TRAINING_OPTIONS as unknown as object[]).push(extra);
    try {
      const next = generateSchema(schema);
      expect(Object.keys(next.definitions.training.properties)).toEqual([...Object.keys(schema.definitions.training.properties).slice(0, TRAINING_OPTIONS.length - 1), 'dropoutX', 'nsEpochs', 'nsUpdates', 'init']);
      expect(next.definitions.training.properties.dropoutX).toMatchObject({ type: 'number', minimum: 0, maximum: 0.9 });
    } finally {
      (TRAINING_OPTIONS as unknown as object[]).pop();
    }
  });
});
