// Guards: scheduling constraints and probes a change removes or loosens are judged like their opposite added, before vs after.
import { asArray, asNumber, asRecord, deepEqual, getIn, type JsonRecord } from '../domain/json-access.js';
import type { Judgement, PolicyInput } from './policy-rule.js';
import { containerLabel, containersByKey, podSpec } from './pod-view.js';
import { restoresRevision } from './restores-revision.js';

/**
 * The longest a probe may let a failing container go on before the kubelet acts (restarts it, or takes
 * it out of its Services): 10 minutes, the start-up budget the rule engine grants at most.
 */
export const MAX_PROBE_BUDGET_SECONDS = 600;

const json = (v: unknown): string => JSON.stringify(v) ?? 'null';

/** Elements of `before` that `after` no longer holds, compared whole. */
const dropped = (before: readonly unknown[], after: readonly unknown[]): unknown[] =>
  before.filter((b) => !after.some((a) => deepEqual(a, b)));

const added = (before: readonly unknown[], after: readonly unknown[]): unknown[] => dropped(after, before);

function nodeSelector(before: JsonRecord, after: JsonRecord): string[] {
  const b = asRecord(before.nodeSelector);
  const a = asRecord(after.nodeSelector);
  return Object.keys(b)
    .sort()
    .filter((k) => !deepEqual(b[k], a[k]))
    .map((k) =>
      a[k] === undefined
        ? `nodeSelector ${k}=${String(b[k])} is removed: the pods may run on nodes it kept them off`
        : `nodeSelector ${k} changes from ${String(b[k])} to ${String(a[k])}: the pods move to other nodes`,
    );
}

const expressions = (term: unknown): unknown[] => [
  ...asArray(asRecord(term).matchExpressions),
  ...asArray(asRecord(term).matchFields),
];

/**
 * Required node affinity is an OR of terms, each an AND of expressions: the change keeps the pods at
 * least as confined only if every term it leaves holds every expression of some term that was there.
 */
function requiredNodeAffinity(before: JsonRecord, after: JsonRecord): string[] {
  const path = [
    'affinity',
    'nodeAffinity',
    'requiredDuringSchedulingIgnoredDuringExecution',
    'nodeSelectorTerms',
  ];
  const b = asArray(getIn(before, path));
  const a = asArray(getIn(after, path));
  if (b.length === 0 || deepEqual(a, b)) return [];
  const confined =
    a.length > 0 &&
    a.every((t) => b.some((bt) => expressions(bt).every((e) => expressions(t).some((x) => deepEqual(x, e)))));
  return confined
    ? []
    : [
        `required node affinity is loosened (${json(b)} becomes ${a.length === 0 ? 'nothing' : json(a)}): the pods may run on nodes it kept them off`,
      ];
}

const TOGETHER = 'replicas may land together on one node or zone, and one failure takes them all';
const ELSEWHERE = 'the scheduler no longer prefers the nodes or pods it was steered to';

/** Lists whose every element keeps pods apart, together or in place: one dropped or changed is a guard gone. */
const TERM_LISTS: ReadonlyArray<readonly [readonly string[], string, string]> = [
  [
    ['affinity', 'podAntiAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'],
    'required pod anti-affinity term',
    TOGETHER,
  ],
  [
    ['affinity', 'podAntiAffinity', 'preferredDuringSchedulingIgnoredDuringExecution'],
    'preferred pod anti-affinity term',
    TOGETHER,
  ],
  [
    ['affinity', 'podAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'],
    'required pod affinity term',
    TOGETHER,
  ],
  [
    ['affinity', 'podAffinity', 'preferredDuringSchedulingIgnoredDuringExecution'],
    'preferred pod affinity term',
    ELSEWHERE,
  ],
  [
    ['affinity', 'nodeAffinity', 'preferredDuringSchedulingIgnoredDuringExecution'],
    'preferred node affinity term',
    ELSEWHERE,
  ],
  [['topologySpreadConstraints'], 'topology spread constraint', TOGETHER],
];

function termLists(before: JsonRecord, after: JsonRecord): string[] {
  return TERM_LISTS.flatMap(([path, what, loss]) =>
    dropped(asArray(getIn(before, path)), asArray(getIn(after, path))).map(
      (t) => `${what} ${json(t)} is removed or loosened: ${loss}`,
    ),
  );
}

function effect(t: JsonRecord): string {
  return typeof t.effect === 'string' && t.effect !== '' ? t.effect : 'every effect';
}

/** A toleration the pods did not have lets them onto nodes a taint kept them off; a longer stay keeps them on failing nodes. */
function tolerations(before: JsonRecord, after: JsonRecord): string[] {
  return added(asArray(before.tolerations), asArray(after.tolerations)).map((t) => {
    const r = asRecord(t);
    const key = typeof r.key === 'string' && r.key !== '' ? r.key : 'any key';
    const value = r.operator === 'Exists' ? 'any value' : json(r.value ?? '');
    const stay =
      r.tolerationSeconds === undefined || r.tolerationSeconds === null
        ? effect(r) === 'NoExecute' || effect(r) === 'every effect'
          ? ', and stay on such nodes indefinitely'
          : ''
        : `, and stay ${String(r.tolerationSeconds)} s on such nodes`;
    return `a new toleration (${key}, ${value}, ${effect(r)}) lets the pods run on nodes tainted for it${stay}`;
  });
}

/** Placement guards dropped or loosened, pod-wide. */
function scheduling(before: JsonRecord, after: JsonRecord): string[] {
  return [
    ...nodeSelector(before, after),
    ...requiredNodeAffinity(before, after),
    ...termLists(before, after),
    ...tolerations(before, after),
  ];
}

const PROBES = [
  ['livenessProbe', 'a hung container is no longer restarted'],
  ['readinessProbe', 'pods that cannot serve keep receiving traffic'],
  ['startupProbe', 'nothing holds liveness back while the container starts'],
] as const;

const HANDLERS = ['httpGet', 'tcpSocket', 'grpc', 'exec'] as const;

const handlerOf = (probe: JsonRecord): string => HANDLERS.find((h) => probe[h] !== undefined) ?? 'none';

/** How long a failing container goes on before the kubelet acts, as the kubelet counts it (its defaults filled in). */
export function probeBudgetSeconds(probe: JsonRecord): number {
  const period = asNumber(probe.periodSeconds) ?? 10;
  const timeout = asNumber(probe.timeoutSeconds) ?? 1;
  const failures = asNumber(probe.failureThreshold) ?? 3;
  return (asNumber(probe.initialDelaySeconds) ?? 0) + failures * Math.max(period, timeout);
}

function probes(who: string, before: JsonRecord | undefined, after: JsonRecord): Judgement {
  const out: Judgement = { violations: [], flags: [] };
  for (const [field, loss] of PROBES) {
    const b = before?.[field];
    const a = after[field];
    if (deepEqual(a, b)) continue;
    if (b === undefined || b === null) {
      if (a !== undefined && a !== null) budget(who, field, undefined, asRecord(a), out);
      continue;
    }
    if (a === undefined || a === null) {
      out.flags.push(`${who}: ${field} is removed: ${loss}`);
      continue;
    }
    const hb = handlerOf(asRecord(b));
    const ha = handlerOf(asRecord(a));
    if (hb !== ha)
      out.flags.push(`${who}: ${field} checks by ${ha} instead of ${hb}: it may pass where it failed`);
    undeclaredPort(who, field, asRecord(b), asRecord(a), after, out);
    budget(who, field, asRecord(b), asRecord(a), out);
  }
  return out;
}

const probePort = (probe: JsonRecord): unknown => getIn(probe, [handlerOf(probe), 'port']);

/** A probe moved to a port the container does not declare may check nothing: the kubelet then restarts or unreadies every pod. */
function undeclaredPort(
  who: string,
  field: string,
  b: JsonRecord,
  a: JsonRecord,
  container: JsonRecord,
  out: Judgement,
): void {
  const port = probePort(a);
  if (port === undefined || deepEqual(port, probePort(b))) return;
  const declared = asArray(container.ports).some((p) =>
    typeof port === 'string' ? asRecord(p).name === port : asRecord(p).containerPort === port,
  );
  if (!declared)
    out.flags.push(
      `${who}: ${field} now checks port ${String(port)}, which the container does not declare: if nothing listens there, every pod fails it`,
    );
}

/** A budget raised past the cap is refused; one within it (more start-up time) is the kind of fix the engines make. */
function budget(who: string, field: string, b: JsonRecord | undefined, a: JsonRecord, out: Judgement): void {
  const after = probeBudgetSeconds(a);
  const was = b === undefined ? null : probeBudgetSeconds(b);
  if (after <= MAX_PROBE_BUDGET_SECONDS || (was !== null && after <= was)) return;
  out.violations.push(
    `${who}: ${field} would let a failing container go on for ${after} s before the kubelet acts${was === null ? '' : ` (was ${was} s)`}; at most ${MAX_PROBE_BUDGET_SECONDS} s`,
  );
}

/**
 * Flags a change that drops or loosens a scheduling constraint (node selector, required node affinity,
 * pod (anti-)affinity terms, topology spread, a new toleration) or removes or weakens a probe; refuses a
 * probe that would let a failing container go on past MAX_PROBE_BUDGET_SECONDS. Limits and security
 * contexts are judged by caps, pod security and the scope lock.
 */
export function guards({ live, proposed, previousTemplates }: PolicyInput): Judgement {
  // What an earlier revision ran, placement and probes included, is the owner's own choice.
  if (restoresRevision(proposed, previousTemplates)) return { violations: [], flags: [] };
  const before = podSpec(live);
  const after = podSpec(proposed);
  const out: Judgement = { violations: [], flags: scheduling(before, after).map((s) => `pods: ${s}`) };
  const liveContainers = containersByKey(before);
  for (const [key, c] of containersByKey(after)) {
    const judged = probes(containerLabel(key), liveContainers.get(key), c);
    out.flags.push(...judged.flags);
    out.violations.push(...judged.violations);
  }
  return out;
}
