// The proposed change as something to commit: a strategic-merge patch of only the changed fields, and Helm value hints.
import type { KubeObject, Target } from '../../domain/index.js';
import { diffPaths, valueAt, type JsonPath } from '../../safety/diff-paths.js';
import { toYaml } from '../change/unified-diff.js';

type Json = Record<string, unknown>;
const CONTAINER_LISTS = new Set(['containers', 'initContainers']);

/** Where a changed leaf goes in the patch: container lists by name (their merge key), other lists whole. */
function patchPath(path: JsonPath, after: unknown): { keys: JsonPath; value: unknown } {
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    if (typeof step !== 'number') continue;
    const list = path[i - 1];
    if (typeof list === 'string' && CONTAINER_LISTS.has(list) && i + 1 < path.length) continue;
    const cut = path.slice(0, i);
    return { keys: cut, value: valueAt(after, cut) };
  }
  return { keys: path, value: valueAt(after, path) };
}

function setIn(patch: Json, keys: JsonPath, value: unknown, after: unknown): void {
  let cur: Json | Json[] = patch;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const last = i === keys.length - 1;
    if (typeof key === 'number' && Array.isArray(cur)) {
      const name = (valueAt(after, [...keys.slice(0, i + 1), 'name']) as string | undefined) ?? `#${key}`;
      const found: Json | undefined = cur.find((c) => c.name === name);
      const entry: Json = found ?? { name };
      if (!found) cur.push(entry);
      cur = entry;
      continue;
    }
    if (Array.isArray(cur)) return;
    const k = String(key);
    if (last) {
      cur[k] = value === undefined ? null : value; // null deletes the field in a strategic merge
      return;
    }
    const nextIsIndex = typeof keys[i + 1] === 'number';
    if (!(k in cur)) cur[k] = nextIsIndex ? [] : {};
    cur = cur[k] as Json | Json[];
  }
}

/** A strategic-merge patch (YAML) with the fields `after` changes relative to `before`, plus how kustomize uses it. */
export function commitPatch(target: Target, before: KubeObject, after: KubeObject): string {
  const patch: Json = {
    apiVersion: 'apps/v1',
    kind: target.kind,
    metadata: { name: target.name, namespace: target.namespace },
  };
  const spec = diffPaths(before.spec, after.spec, ['spec']);
  for (const p of spec) {
    const { keys, value } = patchPath(p, after);
    setIn(patch, keys, value, after);
  }
  const file = `${target.name}-autofix-patch.yaml`;
  return [
    `# Strategic-merge patch for ${target.kind.toLowerCase()}/${target.name}: commit it where the manifests live.`,
    `# With kustomize, save it as ${file} and add to kustomization.yaml:  patches: [{path: ${file}}]`,
    '# Masked values (***) were redacted: keep the real ones from your source.',
    toYaml(patch).trimEnd(),
  ].join('\n');
}

// Common chart conventions (helm create's values.yaml); the release's real values are not read (they live in a Secret).
const HELM_KEYS: Array<[RegExp, string]> = [
  [/\.image$/, 'image.repository / image.tag'],
  [/\.resources\.limits\.memory$/, 'resources.limits.memory'],
  [/\.resources\.requests\.memory$/, 'resources.requests.memory'],
  [/\.resources\.(limits|requests)\.cpu$/, 'resources.$1.cpu'],
  [/\.(livenessProbe|readinessProbe|startupProbe)\b/, '$1'],
  [/^spec\.replicas$/, 'replicaCount'],
  [/\.(nodeSelector|tolerations|affinity)\b/, '$1'],
  [/\.env\b/, 'env (or extraEnv)'],
];

/** For Helm: the values that most likely control the changed fields, by chart convention. */
export function helmValuesHint(before: KubeObject, after: KubeObject, release: string): string[] {
  const keys = new Set<string>();
  for (const path of diffPaths(before.spec, after.spec, ['spec'])) {
    const dotted = path.filter((s) => typeof s === 'string').join('.');
    for (const [re, key] of HELM_KEYS) {
      const m = re.exec(dotted);
      if (m) {
        keys.add(key.replace('$1', m[1] ?? ''));
        break;
      }
    }
  }
  return [...keys].map(
    (k) => `\`${k}\` most likely controls it (chart convention; check with \`helm get values ${release}\`)`,
  );
}
