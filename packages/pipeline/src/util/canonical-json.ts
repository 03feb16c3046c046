// Canonical JSON: object keys sorted, no whitespace, numbers as JavaScript prints them. Hashes of
// configurations and trial records are sha256 of this text, so equal content gives equal keys
// whatever the key order. Non-finite numbers and undefined are rejected instead of silently
// becoming null (JSON.stringify's behaviour), because that would change a record's meaning.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(v: unknown, at: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number':
      if (!Number.isFinite(v)) throw new Error(`canonicalJson: non-finite number at ${at}`);
      return Object.is(v, -0) ? '0' : JSON.stringify(v);
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x, i) => write(x, `${at}[${i}]`)).join(',')}]`;
      if (ArrayBuffer.isView(v)) throw new Error(`canonicalJson: typed array at ${at}`);
      const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write((v as Record<string, unknown>)[k], `${at}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new Error(`canonicalJson: cannot encode ${typeof v} at ${at}`);
  }
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export function hashOf(value: unknown): string {
  return sha256(canonicalJson(value));
}
