// Layering of configuration documents (built-in defaults ← base file ← profile, and
// defaults.training ← a stage's training): mappings merge key by key, anything else (lists,
// scalars) is replaced whole.

/** Keys that say the same thing two ways: setting one in an override drops the others inherited. */
const EXCLUSIVE: readonly (readonly string[])[] = [['nsEpochs', 'nsUpdates']];

export type Plain = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  const out: Plain = structuredClone(base);
  for (const group of EXCLUSIVE) {
    if (group.some((k) => k in over)) for (const k of group) if (!(k in over)) delete out[k];
  }
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
  return out;
}
