// Reading experiments.yaml: YAML (with positions) → JSON Schema → built-in defaults ← base ← profile →
// semantic checks → ResolvedStudy. Every profile is resolved and checked whichever one is asked for,
// so a file is valid or not whatever the command line says; all problems are reported at once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError, closest, type ConfigIssue } from './errors.js';
import { deepMerge, type Plain } from './merge.js';
import { resolveDocument } from './resolve.js';
import { schemaDefaults, validateDocument, type PathSegment } from './schema.js';
import type { ResolvedStudy } from './types.js';

export type Env = Record<string, string | undefined>;

export const DEFAULT_PROFILE = 'default';

/** Loads `file` and returns the study under `profile`; throws ConfigError listing every problem. */
export function loadStudy(file: string, profile: string = DEFAULT_PROFILE, env: Env = process.env): ResolvedStudy {
  const name = displayName(file);
  return pickProfile(resolveAllProfiles(readText(file, name), name, env), name, profile);
}

/** Every profile of `file`, resolved: { default: …, smoke: …, … } in file order, default first. */
export function loadStudies(file: string, env: Env = process.env): Record<string, ResolvedStudy> {
  const name = displayName(file);
  return resolveAllProfiles(readText(file, name), name, env);
}

/** The pure core: `text` of a file shown to the user as `name`. */
export function resolveStudyText(text: string, name: string, profile: string = DEFAULT_PROFILE, env: Env = {}): ResolvedStudy {
  return pickProfile(resolveAllProfiles(text, name, env), name, profile);
}

export function pickProfile(studies: Record<string, ResolvedStudy>, name: string, profile: string): ResolvedStudy {
  const study = studies[profile];
  if (study) return study;
  const known = Object.keys(studies);
  const near = closest(profile, known);
  throw new ConfigError(name, [
    { path: '', message: `unknown profile '${profile}'${near !== undefined ? ` (did you mean '${near}'?)` : ''}; profiles: ${known.join(', ')}` },
  ]);
}

/**
 * The profile a command runs: its --profile/-c flag, else the Nx configuration of the task that
 * started it (NX_TASK_TARGET_CONFIGURATION), else 'default'. Nx runs an unknown `-c` silently
 * with the default options, so the environment wins over a flag the target passes: loadStudy then
 * rejects the unknown name.
 */
export function profileName(flag: string | undefined, env: Env = process.env): string {
  return env.NX_TASK_TARGET_CONFIGURATION || flag || DEFAULT_PROFILE;
}

function displayName(file: string): string {
  return path.isAbsolute(file) ? path.relative(process.cwd(), file) || file : file;
}

function readText(file: string, name: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ConfigError(name, [{ path: '', message: `cannot read the study file: ${why}` }]);
  }
}

export function resolveAllProfiles(text: string, name: string, env: Env): Record<string, ResolvedStudy> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    throw new ConfigError(
      name,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        return { line: pos.line, col: pos.col, path: '', message: `YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}` };
      }),
    );
  }
  const js: unknown = doc.toJS();
  if (js === null || js === undefined) throw new ConfigError(name, [{ line: 1, col: 1, path: '', message: 'the file is empty: it needs at least `version: 1`' }]);
  const at = (p: PathSegment[], target: 'key' | 'value' = 'value') => locate(doc, lines, p, target);

  const schemaProblems = validateDocument(js);
  if (schemaProblems.length) {
    throw new ConfigError(name, schemaProblems.map((p) => ({ ...at(p.path, p.at), path: dotted(p.path), message: p.message })));
  }

  const file = js as Plain;
  const { version: _v, profiles: overrides = {}, ...base } = file as Plain & { profiles?: Record<string, Plain> };
  const issues: ConfigIssue[] = [];
  const names = [DEFAULT_PROFILE, ...Object.keys(overrides).filter((p) => p !== DEFAULT_PROFILE)];
  if (DEFAULT_PROFILE in overrides) {
    issues.push({ ...at(['profiles', DEFAULT_PROFILE], 'key'), path: 'profiles.default', message: "the base file is the profile 'default'; give this one another name" });
  }
  const baseDoc = deepMerge(schemaDefaults(), base) as Plain;
  const studies: Record<string, ResolvedStudy> = {};
  const seen = new Set<string>();
  for (const profile of names) {
    const merged = profile === DEFAULT_PROFILE ? baseDoc : (deepMerge(baseDoc, overrides[profile]) as Plain);
    const { study, problems } = resolveDocument(merged, profile, names, env);
    studies[profile] = study;
    for (const p of problems) {
      // The first candidate path the profile sets, else the first the base file sets, else the place the first would go.
      const layers: PathSegment[][] = profile === DEFAULT_PROFILE ? [[]] : [['profiles', profile], []];
      let found: PathSegment[] | undefined;
      for (const layer of layers) {
        found ??= p.paths.map((c) => [...layer, ...c]).find((c) => exists(doc, c));
      }
      // Nothing the file sets: the place the first candidate would go (its deepest existing parent).
      const where = found ?? p.paths[0];
      const key = `${dotted(where)}\0${p.message}`;
      if (seen.has(key)) continue; // a base-file problem shows under every profile: report it once
      seen.add(key);
      const suffix = profile !== DEFAULT_PROFILE && where[0] !== 'profiles' ? ` (profile '${profile}')` : '';
      issues.push({ ...at(where, p.at), path: dotted(where), message: p.message + suffix });
    }
  }
  if (issues.length) throw new ConfigError(name, issues);
  return studies;
}

/** "stages.gradcheck.nets[1]" */
export function dotted(p: PathSegment[]): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

interface Found {
  node: Node | null;
  key: Node | null;
  depth: number;
}

/** Follows `p` as far as the document goes. */
function walk(doc: Document, p: PathSegment[]): Found {
  let node = doc.contents as Node | null;
  let key: Node | null = null;
  let depth = 0;
  for (const seg of p) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      key = pair.key as Node;
      node = (pair.value as Node | null) ?? null;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      key = null;
      node = node.items[seg] as Node;
    } else break;
    depth++;
  }
  return { node, key, depth };
}

function exists(doc: Document, p: PathSegment[]): boolean {
  return walk(doc, p).depth === p.length;
}

function locate(doc: Document, lines: LineCounter, p: PathSegment[], target: 'key' | 'value'): { line: number; col: number } {
  const f = walk(doc, p);
  const complete = f.depth === p.length;
  // A key's position for unknown keys, for values that are absent (`samples:` with nothing after it),
  // and for a path that stops early (the problem belongs under the last key present).
  const node = target === 'key' || !f.node?.range || (!complete && f.key) ? (f.key ?? f.node) : f.node;
  const offset = node?.range?.[0] ?? 0;
  return lines.linePos(offset);
}
