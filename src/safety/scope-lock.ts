// Scope lock: only the target object may change, and within it only an allowlist of pod template paths.
import { describeTarget } from '../domain/index.js';
import { diffPaths, formatPath, type JsonPath } from './diff-paths.js';
import { asArray, asRecord, asString, deepEqual, getIn, type JsonRecord } from './object-access.js';
import type { PolicyInput } from './policy-rule.js';

/** Fields of a container (regular or init) a change may touch. */
export const MUTABLE_CONTAINER_FIELDS = [
  'image',
  'command',
  'args',
  'env',
  'envFrom',
  'resources',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'ports',
] as const;

/** Pod spec fields that only steer scheduling; priorityClassName is excluded because it can preempt other pods. */
export const MUTABLE_SCHEDULING_FIELDS = [
  'nodeSelector',
  'affinity',
  'tolerations',
  'topologySpreadConstraints',
] as const;

/** `kubectl rollout restart` writes this; changing it only restarts the pods. */
export const MUTABLE_TEMPLATE_ANNOTATIONS = ['kubectl.kubernetes.io/restartedAt'] as const;

/** Workload annotations a change may set (the rollout history note). */
export const MUTABLE_ANNOTATIONS = ['kubernetes.io/change-cause'] as const;

/** Maintained by kubectl or the controller; a cleaned manifest leaves them out, which is not a change. */
export const SERVER_OWNED_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
];

type Pattern = ReadonlyArray<string>; // '*' matches any array index

/** Every path a change may touch; anything else under `spec` must stay as it is live. */
export const SCOPE_LOCK_ALLOWLIST: readonly Pattern[] = [
  ['spec', 'replicas'],
  ...['containers', 'initContainers'].flatMap((list) =>
    MUTABLE_CONTAINER_FIELDS.map((f) => ['spec', 'template', 'spec', list, '*', f]),
  ),
  ...MUTABLE_SCHEDULING_FIELDS.map((f) => ['spec', 'template', 'spec', f]),
  ...MUTABLE_TEMPLATE_ANNOTATIONS.map((a) => ['spec', 'template', 'metadata', 'annotations', a]),
];

const SUFFIX = '(scope lock)';

function allowed(path: JsonPath): boolean {
  return SCOPE_LOCK_ALLOWLIST.some(
    (p) =>
      path.length >= p.length &&
      p.every((seg, i) => (seg === '*' ? typeof path[i] === 'number' : seg === path[i])),
  );
}

function identity({ target, live, proposed }: PolicyInput): string[] {
  const out: string[] = [];
  const lm = asRecord(live.metadata);
  const pm = asRecord(proposed.metadata);
  if (live.kind !== target.kind || lm.name !== target.name || lm.namespace !== target.namespace) {
    out.push(
      `the live object is ${String(live.kind)} ${String(lm.namespace)}/${String(lm.name)}, not the target ${describeTarget(target)} ${SUFFIX}`,
    );
  }
  const fields: Array<[string, unknown, unknown]> = [
    ['apiVersion', live.apiVersion, proposed.apiVersion],
    ['kind', target.kind, proposed.kind],
    ['metadata.name', target.name, pm.name],
    ['metadata.namespace', target.namespace, pm.namespace],
  ];
  for (const [field, want, got] of fields) {
    if (want !== got) out.push(`${field} must stay ${String(want)}, not ${String(got)} ${SUFFIX}`);
  }
  return out;
}

function annotationsWithout(v: unknown, drop: readonly string[]): JsonRecord {
  return Object.fromEntries(Object.entries(asRecord(v)).filter(([k]) => !drop.includes(k)));
}

function metadataLock({ live, proposed }: PolicyInput): string[] {
  const lm = asRecord(live.metadata);
  const pm = asRecord(proposed.metadata);
  const out: string[] = [];
  // Other metadata (uid, resourceVersion, ownerReferences, finalizers…) may be left out, never altered.
  for (const k of Object.keys(pm).sort()) {
    if (['name', 'namespace', 'labels', 'annotations'].includes(k)) continue;
    if (pm[k] !== undefined && !deepEqual(pm[k], lm[k])) out.push(`metadata.${k} must not change ${SUFFIX}`);
  }
  for (const [key] of diffPaths(lm.labels, pm.labels))
    out.push(`label "${String(key)}" of the workload must not change ${SUFFIX}`);
  const pa = asRecord(pm.annotations);
  const absentServerKeys = SERVER_OWNED_ANNOTATIONS.filter((k) => !Object.hasOwn(pa, k));
  const skip = [...MUTABLE_ANNOTATIONS, ...absentServerKeys];
  for (const [key] of diffPaths(annotationsWithout(lm.annotations, skip), annotationsWithout(pa, skip))) {
    out.push(
      `annotation "${String(key)}" of the workload must not change; only ${MUTABLE_ANNOTATIONS.join(', ')} may ${SUFFIX}`,
    );
  }
  return out;
}

function topLevelLock({ live, proposed }: PolicyInput): string[] {
  const known = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
  return Object.keys(proposed)
    .filter((k) => !known.includes(k) && proposed[k] !== undefined && !deepEqual(proposed[k], live[k]))
    .sort()
    .map((k) => `${k} must not change ${SUFFIX}`);
}

function containerNames(spec: unknown, list: string): string[] {
  return asArray(getIn(spec, ['template', 'spec', list])).map((c) => asString(asRecord(c).name) ?? '?');
}

function selectorKeys(spec: unknown): Set<string> {
  const sel = asRecord(getIn(spec, ['selector']));
  const keys = Object.keys(asRecord(sel.matchLabels));
  for (const e of asArray(sel.matchExpressions)) {
    const k = asString(asRecord(e).key);
    if (k !== null) keys.push(k);
  }
  return new Set(keys);
}

/** One sentence for a disallowed path, at the granularity a human edits (a field, a label, a container field). */
function describe(path: JsonPath, ctx: { selector: Set<string>; names: Record<string, string[]> }): string {
  const [, a, b, c, d, e] = path;
  if (a === undefined) return `spec must not change ${SUFFIX}`;
  if (a !== 'template') return `spec.${String(a)} must not change ${SUFFIX}`;
  if (b === 'metadata' && c === 'labels' && d !== undefined) {
    return ctx.selector.has(String(d))
      ? `pod template label "${String(d)}" is used by spec.selector and must not change ${SUFFIX}`
      : `pod template label "${String(d)}" must not change: labels decide which Services and NetworkPolicies select the pods ${SUFFIX}`;
  }
  if (b === 'metadata' && c === 'annotations' && d !== undefined) {
    return `pod template annotation "${String(d)}" must not change; only ${MUTABLE_TEMPLATE_ANNOTATIONS.join(', ')} may ${SUFFIX}`;
  }
  if (
    b === 'spec' &&
    (c === 'containers' || c === 'initContainers') &&
    typeof d === 'number' &&
    e !== undefined
  ) {
    const who = `${c === 'containers' ? 'container' : 'init container'} ${ctx.names[c]?.[d] ?? `#${d}`}`;
    return `${who}: ${String(e)} must not change; only ${MUTABLE_CONTAINER_FIELDS.join(', ')} may ${SUFFIX}`;
  }
  if (b === 'spec' && c !== undefined) return `pod spec field ${String(c)} must not change ${SUFFIX}`;
  return `${formatPath(['spec', ...path.slice(1, 3)])} must not change ${SUFFIX}`;
}

function specLock({ live, proposed }: PolicyInput): string[] {
  const out: string[] = [];
  const names: Record<string, string[]> = {};
  const reshaped = new Set<string>();
  for (const list of ['containers', 'initContainers']) {
    const before = containerNames(live.spec, list);
    names[list] = containerNames(proposed.spec, list);
    if (deepEqual(before, names[list])) continue;
    reshaped.add(list);
    const what = list === 'containers' ? 'containers' : 'init containers';
    out.push(
      `${what} must not be added, removed, renamed or reordered: live has [${before.join(', ')}], the change has [${names[list].join(', ')}] ${SUFFIX}`,
    );
  }
  const ctx = { selector: new Set([...selectorKeys(live.spec), ...selectorKeys(proposed.spec)]), names };
  for (const path of diffPaths(live.spec, proposed.spec)) {
    if (allowed(['spec', ...path])) continue;
    // Index-by-index comparison is meaningless once the container list itself changed.
    if (path[0] === 'template' && path[1] === 'spec' && reshaped.has(String(path[2]))) continue;
    out.push(describe(['spec', ...path], ctx));
  }
  return out;
}

/** Violations of the scope lock, deduplicated, identity first. */
export function scopeLock(input: PolicyInput): string[] {
  return [
    ...new Set([...identity(input), ...metadataLock(input), ...topLevelLock(input), ...specLock(input)]),
  ];
}
