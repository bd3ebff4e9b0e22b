// The minimal paths at which two JSON values differ, in a content-determined order.
import { isRecord } from '../domain/json-access.js';

export type JsonPath = ReadonlyArray<string | number>;

/** Kubernetes reads an absent field, null, {} and [] alike, so these never count as a difference. */
function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    (Array.isArray(v) && v.length === 0) ||
    (isRecord(v) && Object.keys(v).length === 0)
  );
}

/**
 * Where `before` and `after` differ. Records are compared key by key (keys sorted), arrays of equal
 * length index by index; an array whose length changed is reported as a whole. An absent record is
 * read as {} so that adding `resources: {limits: …}` reports the leaves, not the parent.
 */
export function diffPaths(before: unknown, after: unknown, prefix: JsonPath = []): JsonPath[] {
  if (isEmpty(before) && isEmpty(after)) return [];
  if (isRecord(before) || isRecord(after)) {
    if (!(isRecord(before) || isEmpty(before)) || !(isRecord(after) || isEmpty(after))) return [prefix];
    const b = isRecord(before) ? before : {};
    const a = isRecord(after) ? after : {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    return keys.flatMap((k) => diffPaths(b[k], a[k], [...prefix, k]));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.length !== after.length) return [prefix];
    return before.flatMap((x, i) => diffPaths(x, after[i], [...prefix, i]));
  }
  return Object.is(before, after) ? [] : [prefix];
}

/** `spec.template.spec.containers[0].image` */
export function formatPath(path: JsonPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The value at a path (record keys and array indices); undefined when any step is missing. */
export function valueAt(v: unknown, path: JsonPath): unknown {
  let cur = v;
  for (const p of path) {
    if (Array.isArray(cur) && typeof p === 'number') cur = cur[p];
    else if (isRecord(cur) && typeof p === 'string' && Object.hasOwn(cur, p)) cur = cur[p];
    else return undefined;
  }
  return cur;
}
