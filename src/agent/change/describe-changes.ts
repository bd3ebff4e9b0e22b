// Human sentences for what a change does, read off the resulting object (not the engine's own summary).
import type { KubeObject } from '../../domain/index.js';
import { diffPaths, formatPath, valueAt, type JsonPath } from '../../safety/diff-paths.js';
import { asArray, asRecord, asString } from '../../domain/json-access.js';

const MAX_VALUE = 80;

function show(v: unknown): string {
  if (v === undefined || v === null) return '(unset)';
  const s = typeof v === 'string' ? (v === '' ? '""' : v) : JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

const envNames = (v: unknown): string[] => asArray(v).map((e) => asString(asRecord(e).name) ?? '?');

/** An env list whose length changed: say which variables came and went, by name. */
function envListChange(who: string, before: unknown, after: unknown): string {
  const b = envNames(before);
  const a = envNames(after);
  const parts = [
    ...a.filter((n) => !b.includes(n)).map((n) => `add ${n}`),
    ...b.filter((n) => !a.includes(n)).map((n) => `remove ${n}`),
  ];
  return `${who}: env ${parts.length > 0 ? parts.join(', ') : 'reordered'}`;
}

/** `container app: image nginx:1.25 → nginx:1.27`, `container app: env LOG_LEVEL info → debug`. */
function containerLine(path: JsonPath, before: KubeObject, after: KubeObject): string {
  const [list, i, ...rest] = path.slice(3);
  const kind =
    list === 'containers'
      ? 'container'
      : list === 'initContainers'
        ? 'init container'
        : 'ephemeral container';
  const container = valueAt(after, path.slice(0, 5)) ?? valueAt(before, path.slice(0, 5));
  const who = `${kind} ${asString(asRecord(container).name) ?? `#${String(i)}`}`;
  const from = valueAt(before, path);
  const to = valueAt(after, path);
  if (rest.length === 1 && rest[0] === 'env') return envListChange(who, from, to);
  let field = formatPath(rest);
  if (rest[0] === 'env' && typeof rest[1] === 'number') {
    const name = asString(
      asRecord(valueAt(after, path.slice(0, 7)) ?? valueAt(before, path.slice(0, 7))).name,
    );
    field = `env ${name ?? `#${rest[1]}`}${rest.length > 3 || rest[2] !== 'value' ? ` ${formatPath(rest.slice(2))}` : ''}`;
  }
  return `${who}: ${field} ${show(from)} → ${show(to)}`;
}

/** One line per changed field of the cleaned manifests, in a content-determined order. */
export function describeChanges(before: KubeObject, after: KubeObject): string[] {
  const lines = diffPaths(before, after).map((path) => {
    const isContainer = path[0] === 'spec' && path[1] === 'template' && path[2] === 'spec';
    if (
      isContainer &&
      ['containers', 'initContainers', 'ephemeralContainers'].includes(String(path[3])) &&
      path.length > 4
    ) {
      return containerLine(path, before, after);
    }
    const field = path[0] === 'spec' && path.length === 2 ? String(path[1]) : formatPath(path);
    return `${field} ${show(valueAt(before, path))} → ${show(valueAt(after, path))}`;
  });
  return [...new Set(lines)];
}
