// Scope lock: only the target object may change, and within it only an allow-list of paths, judged on the whole object and on every op path.
import type { PatchOp } from '../domain/index.js';
import { describeTarget } from '../domain/index.js';
import { diffPaths, formatPath, type JsonPath } from './diff-paths.js';
import { asArray, asRecord, asString, deepEqual, getIn } from '../domain/json-access.js';
import type { PolicyInput } from './policy-rule.js';
import { restoresRevision } from './restores-revision.js';

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

/** Maintained by kubectl or the controller; the reviewed manifest leaves them out unless a change touches them. */
export const SERVER_OWNED_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
];

type Pattern = ReadonlyArray<string>; // '*' matches any array index

/** Every path a change may touch, anywhere in the object; everything else must stay as it is live. */
export const SCOPE_LOCK_ALLOWLIST: readonly Pattern[] = [
  ['spec', 'replicas'],
  ...['containers', 'initContainers'].flatMap((list) =>
    MUTABLE_CONTAINER_FIELDS.map((f) => ['spec', 'template', 'spec', list, '*', f]),
  ),
  ...MUTABLE_SCHEDULING_FIELDS.map((f) => ['spec', 'template', 'spec', f]),
  ...MUTABLE_TEMPLATE_ANNOTATIONS.map((a) => ['spec', 'template', 'metadata', 'annotations', a]),
  ...MUTABLE_ANNOTATIONS.map((a) => ['metadata', 'annotations', a]),
];

/**
 * Parents an operation may replace whole (a previous revision's template, one container, the template
 * annotations); what such an operation changes inside is still judged path by path.
 */
const OP_PARENTS: readonly Pattern[] = [
  ['spec', 'template'],
  ['spec', 'template', 'spec'],
  ['spec', 'template', 'spec', 'containers', '*'],
  ['spec', 'template', 'spec', 'initContainers', '*'],
  ['spec', 'template', 'metadata'],
  ['spec', 'template', 'metadata', 'annotations'],
];

const SUFFIX = '(scope lock)';

const segMatches = (seg: string, p: string | number | undefined): boolean =>
  seg === '*' ? typeof p === 'number' || (typeof p === 'string' && /^(0|[1-9]\d*|-)$/.test(p)) : seg === p;

/** Whether the path lies at or below an allow-listed path. */
export function pathAllowed(path: JsonPath): boolean {
  return SCOPE_LOCK_ALLOWLIST.some(
    (p) => path.length >= p.length && p.every((seg, i) => segMatches(seg, path[i])),
  );
}

/** RFC 6901 tokens of a JSON Pointer (`/a~1b` → ["a/b"]); the empty pointer is the whole document. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Each operation's own path must be allow-listed (or one of a few whole parents), whatever its effect. */
function opPaths(ops: readonly PatchOp[] | undefined): string[] {
  const out: string[] = [];
  for (const op of ops ?? []) {
    const path = pointerTokens(op.path);
    const parent = OP_PARENTS.some(
      (p) => p.length === path.length && p.every((seg, i) => segMatches(seg, path[i])),
    );
    if (!pathAllowed(path) && !parent) {
      out.push(`the operation ${String(op.op)} ${op.path} touches a path outside the allow-list ${SUFFIX}`);
    }
  }
  return out;
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

function containerNames(obj: unknown, list: string): string[] {
  return asArray(getIn(obj, ['spec', 'template', 'spec', list])).map(
    (c) => asString(asRecord(c).name) ?? '?',
  );
}

function selectorKeys(obj: unknown): Set<string> {
  const sel = asRecord(getIn(obj, ['spec', 'selector']));
  const keys = Object.keys(asRecord(sel.matchLabels));
  for (const e of asArray(sel.matchExpressions)) {
    const k = asString(asRecord(e).key);
    if (k !== null) keys.push(k);
  }
  return new Set(keys);
}

interface DescribeCtx {
  selector: Set<string>;
  names: Record<string, string[]>;
}

function describeMetadata(path: JsonPath): string {
  const [, field, key] = path;
  if (field === undefined) return `metadata must not change ${SUFFIX}`;
  if (field === 'labels' && key !== undefined)
    return `label "${String(key)}" of the workload must not change ${SUFFIX}`;
  if (field === 'annotations' && key !== undefined) {
    return `annotation "${String(key)}" of the workload must not change; only ${MUTABLE_ANNOTATIONS.join(', ')} may ${SUFFIX}`;
  }
  return `metadata.${String(field)} must not change ${SUFFIX}`;
}

/** One sentence for a disallowed path, at the granularity a human edits (a field, a label, a container field). */
function describe(path: JsonPath, ctx: DescribeCtx): string {
  const [top, a, b, c, d, e] = path;
  if (top === 'metadata') return describeMetadata(path);
  if (top !== 'spec') return `${String(top)} must not change ${SUFFIX}`;
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

/** Every difference between the live and the resulting object, metadata, status and top-level fields included. */
/** `after` keeps some of `before`'s names, in their order, and adds none. */
function onlyRemoves(before: string[], after: string[]): boolean {
  let i = 0;
  for (const name of before) if (name === after[i]) i += 1;
  return i === after.length;
}

/** The fields outside the allow-list that a kept container (matched by name) would change. */
function keptContainers(live: unknown, proposed: unknown, list: string): string[] {
  const byName = (obj: unknown) =>
    new Map(
      asArray(getIn(obj, ['spec', 'template', 'spec', list])).map((c) => [asString(asRecord(c).name), c]),
    );
  const before = byName(live);
  const kind = list === 'containers' ? 'container' : 'init container';
  const mutable: readonly string[] = MUTABLE_CONTAINER_FIELDS;
  return [...byName(proposed)].flatMap(([name, after]) =>
    diffPaths(before.get(name), after)
      .filter((path) => !mutable.includes(String(path[0])))
      .map(
        (path) =>
          `${kind} ${name ?? '?'}: ${String(path[0])} must not change; only ${MUTABLE_CONTAINER_FIELDS.join(', ')} may ${SUFFIX}`,
      ),
  );
}

function objectLock({ live, proposed, previousTemplates = [] }: PolicyInput): string[] {
  const out: string[] = [];
  const names: Record<string, string[]> = {};
  const reshaped = new Set<string>();
  // A rollback to an earlier revision may drop what a release added (an init container, a sidecar).
  const rollback = restoresRevision(proposed, previousTemplates);
  for (const list of ['containers', 'initContainers']) {
    const before = containerNames(live, list);
    names[list] = containerNames(proposed, list);
    if (deepEqual(before, names[list])) continue;
    reshaped.add(list);
    if (
      rollback &&
      (list === 'initContainers' || names[list].length > 0) &&
      onlyRemoves(before, names[list])
    ) {
      // Index-by-index comparison is meaningless now: each kept container is judged against itself, by name.
      out.push(...keptContainers(live, proposed, list));
      continue;
    }
    const what = list === 'containers' ? 'containers' : 'init containers';
    out.push(
      `${what} must not be added, removed, renamed or reordered: live has [${before.join(', ')}], the change has [${names[list].join(', ')}] ${SUFFIX}`,
    );
  }
  const ctx = { selector: new Set([...selectorKeys(live), ...selectorKeys(proposed)]), names };
  for (const path of diffPaths(live, proposed)) {
    if (pathAllowed(path)) continue;
    // Identity fields have their own sentence; index-by-index comparison is meaningless once a container list changed.
    if (path.length === 1 && (path[0] === 'apiVersion' || path[0] === 'kind')) continue;
    if (path[0] === 'metadata' && (path[1] === 'name' || path[1] === 'namespace') && path.length === 2)
      continue;
    if (path[0] === 'spec' && path[1] === 'template' && path[2] === 'spec' && reshaped.has(String(path[3])))
      continue;
    out.push(describe(path, ctx));
  }
  return out;
}

/**
 * Violations of the scope lock, deduplicated, identity first. `proposed` must be the whole object the
 * operations produce (metadata and status included): whatever is left out is not judged.
 */
export function scopeLock(input: PolicyInput): string[] {
  return [...new Set([...identity(input), ...opPaths(input.ops), ...objectLock(input)])];
}
