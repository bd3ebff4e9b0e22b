// Puts real values back where a patch built from redacted evidence carries the redaction mask.
import type { KubeObject, PatchOp } from '../../domain/index.js';
import { deepEqual, isRecord, type JsonRecord } from '../../domain/json-access.js';
import { NO_KNOWN_VALUES, type KnownValues } from '../../safety/known-values.js';
import { REDACTED, redactObject } from '../../safety/redact.js';

/**
 * What stays in memory and is never shown: the unredacted live object, its revision templates, and the
 * matcher for the workload's own secret values (the evidence was redacted with it, so every comparison is;
 * collect and the apply step always set it).
 */
export interface Sealed {
  live: KubeObject;
  templates: KubeObject[];
  known?: KnownValues;
}

type Json = unknown;

function at(obj: Json, pointer: string): Json {
  if (pointer === '' || pointer === '/') return obj;
  let cur: Json = obj;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (typeof cur === 'object' && cur !== null) cur = (cur as Record<string, Json>)[key];
    else return undefined;
  }
  return cur;
}

/** The element of a source array matching `item`: by `name` (env, containers, ports) or else by position. */
function counterpart(source: Json, item: Json, index: number): Json {
  if (!Array.isArray(source)) return undefined;
  if (isRecord(item) && typeof item.name === 'string')
    return source.find((s) => isRecord(s) && s.name === item.name);
  return source[index];
}

/** The one original all matching sources agree on; none or a disagreement (ambiguous) gives undefined. */
function agreed(candidates: Json[]): Json {
  const distinct = [...new Set(candidates.map((c) => JSON.stringify(c)))];
  return distinct.length === 1 ? candidates[0] : undefined;
}

/**
 * Rewrites `value`: a string holding the mask is replaced by the value at the same place in the first
 * source whose redacted form matches it exactly, so only values that were there, unchanged, come back.
 * Places still masked afterwards are returned as unresolved.
 */
function restore(value: Json, sources: Json[], path: string, unresolved: string[], known: KnownValues): Json {
  if (typeof value === 'string') {
    if (!value.includes(REDACTED)) return value;
    const found = agreed(
      sources.filter((src) => typeof src === 'string' && deepEqual(redactObject(src, known), value)),
    );
    if (found === undefined) unresolved.push(path);
    return found ?? value;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) =>
      restore(
        v,
        sources.map((s) => counterpart(s, v, i)),
        `${path}/${i}`,
        unresolved,
        known,
      ),
    );
  }
  if (
    isRecord(value) &&
    typeof value.name === 'string' &&
    typeof value.value === 'string' &&
    value.value.includes(REDACTED)
  ) {
    // Env values are masked because of the variable's name, so compare whole entries, not bare strings.
    const entry = value;
    const matches = sources.filter(
      (s) =>
        isRecord(s) &&
        typeof s.value === 'string' &&
        deepEqual(
          redactObject({ env: [{ name: entry.name, value: s.value }] }, known).env[0]?.value,
          entry.value,
        ),
    );
    const found = agreed(matches.map((m) => (m as JsonRecord).value));
    if (found !== undefined) return { ...entry, value: found };
  }
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        restore(
          v,
          sources.map((s) => (isRecord(s) ? s[k] : undefined)),
          `${path}/${k}`,
          unresolved,
          known,
        ),
      ]),
    );
  }
  return value;
}

/**
 * Where masked values of `op` may come from. A template restored whole is traced to the revisions whose
 * redacted form it equals, so its values come from those alone; otherwise every candidate counts. Either
 * way, candidates that disagree leave the value unresolved.
 */
function sourcesFor(op: PatchOp, { live, templates }: Sealed, known: KnownValues): Json[] {
  const inTemplate = op.path === '/spec/template' || op.path.startsWith('/spec/template/');
  const sub = op.path.slice('/spec/template'.length);
  // Every revision that redacts to this value: if their real values differ, the value stays unresolved.
  const origins = inTemplate
    ? templates.filter((t) => deepEqual(redactObject(at(t, sub), known), op.value))
    : [];
  if (origins.length > 0) return origins.map((o) => at(o, sub));
  return [at(live, op.path), ...(inTemplate ? templates.map((t) => at(t, sub)) : [])];
}

export interface Rehydrated {
  ops: PatchOp[];
  /** JSON pointers still holding the mask: the patch must not be sent. */
  unresolved: string[];
}

export function rehydratePatch(ops: PatchOp[], sealed: Sealed): Rehydrated {
  const unresolved: string[] = [];
  const known = sealed.known ?? NO_KNOWN_VALUES;
  const out = ops.map((op) =>
    op.value === undefined
      ? op
      : {
          ...op,
          value: restore(op.value, sourcesFor(op, sealed, known), op.path, unresolved, known),
        },
  );
  return { ops: out, unresolved };
}
