// Default deny inside the scope lock: a field may change unflagged only where a rule judges what every change to it does.
import { asArray, asRecord, asString, isRecord } from '../domain/json-access.js';
import { formatPath, type JsonPath } from './diff-paths.js';
import type { Judgement, PolicyInput } from './policy-rule.js';
import { podSpec } from './pod-view.js';
import { restoresRevision } from './restores-revision.js';
import { pathAllowed } from './scope-lock.js';

/** `*` stands for any one key or index; a pattern covers the field it names and everything under it. */
type Pattern = readonly string[];

/** A field a change may make unflagged, the rule that judges each change to it, and how. */
export interface JudgedField {
  path: Pattern;
  by: string;
  how: string;
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

const containerFields = (list: string): JudgedField[] => {
  const c = ['spec', 'template', 'spec', list, '*'];
  return [
    { path: [...c, 'image'], by: 'caps', how: 'the registry allow-list' },
    ...['command', 'args', 'env', 'envFrom'].map((f) => ({
      path: [...c, f],
      by: 'behaviour-changes',
      how: 'every change flagged in words; runtime variables and new destinations refused',
    })),
    {
      path: [...c, 'resources'],
      by: 'caps',
      how: 'cpu and memory capped with units and totals, lowered limits flagged by capacity-cuts, any other resource refused when added or raised',
    },
    ...['name', 'containerPort', 'protocol'].map((f) => ({
      path: [...c, 'ports', '*', f],
      by: 'traffic',
      how: 'any change to the declared ports flagged, with the Services it re-points',
    })),
    { path: [...c, 'ports', '*', 'hostPort'], by: 'pod-security', how: 'host ports refused' },
    ...PROBES.flatMap((p): JudgedField[] => [
      ...['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold'].map((f) => ({
        path: [...c, p, f],
        by: 'guards',
        how: 'the budget before the kubelet acts, refused past ten minutes',
      })),
      ...['httpGet', 'tcpSocket', 'grpc'].flatMap((h) => [
        {
          path: [...c, p, h, 'port'],
          by: 'guards',
          how: 'a port the container does not declare flagged',
        },
        { path: [...c, p, h, 'host'], by: 'pod-security', how: 'any host but the pod refused' },
      ]),
      // The probe-path engine's fix; the kubelet still calls the container itself (the host is refused above).
      {
        path: [...c, p, 'httpGet', 'path'],
        by: 'guards',
        how: 'the pod itself is still what is checked',
      },
      { path: [...c, p, 'exec'], by: 'behaviour-changes', how: 'a new command flagged in full' },
    ]),
  ];
};

/**
 * What may change without a flag, by the rule that judges it. Anything else the scope lock allows
 * (a probe's scheme or headers, a port's hostIP, a field a later Kubernetes adds) is shown to a person.
 */
export const JUDGED_FIELDS: readonly JudgedField[] = [
  {
    path: ['spec', 'replicas'],
    by: 'caps',
    how: 'the replica cap; scale-downs flagged by irreversible-loss',
  },
  ...containerFields('containers'),
  ...containerFields('initContainers'),
  {
    path: ['spec', 'template', 'spec', 'nodeSelector'],
    by: 'guards',
    how: 'a selector removed or changed flagged; one added only narrows',
  },
  ...[
    ['nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'],
    ['nodeAffinity', 'preferredDuringSchedulingIgnoredDuringExecution'],
    ['podAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'],
    ['podAffinity', 'preferredDuringSchedulingIgnoredDuringExecution'],
    ['podAntiAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'],
    ['podAntiAffinity', 'preferredDuringSchedulingIgnoredDuringExecution'],
  ].map((p) => ({
    path: ['spec', 'template', 'spec', 'affinity', ...p],
    by: 'guards',
    how: 'terms dropped or loosened flagged; other namespaces and nodes refused by scheduling-guard',
  })),
  ...['tolerations', 'topologySpreadConstraints'].map((f) => ({
    path: ['spec', 'template', 'spec', f],
    by: 'guards',
    how: 'a new toleration or a dropped constraint flagged; broad tolerations refused by scheduling-guard',
  })),
  {
    path: ['spec', 'template', 'metadata', 'annotations', 'kubectl.kubernetes.io/restartedAt'],
    by: 'scope-lock',
    how: 'only restarts the pods',
  },
  {
    path: ['metadata', 'annotations', 'kubernetes.io/change-cause'],
    by: 'scope-lock',
    how: 'a note in the rollout history',
  },
];

/** Fields whose value, when absent, Kubernetes reads as this: setting the default is no change. */
const DEFAULTS: ReadonlyArray<readonly [Pattern, unknown]> = ['containers', 'initContainers'].flatMap(
  (list) =>
    PROBES.flatMap((p) => [
      [['spec', 'template', 'spec', list, '*', p, 'httpGet', 'scheme'], 'HTTP'] as const,
      [['spec', 'template', 'spec', list, '*', p, 'successThreshold'], 1] as const,
    ]),
);

const covers = (p: Pattern, path: JsonPath): boolean =>
  path.length >= p.length && p.every((seg, i) => seg === '*' || seg === String(path[i]));

/** Whether some rule judges every change at this path. */
export const judged = (path: JsonPath): boolean => JUDGED_FIELDS.some((f) => covers(f.path, path));

/** Every leaf of a JSON value by path; absent, null, {} and [] are alike to Kubernetes and hold none. */
function leaves(v: unknown, prefix: JsonPath, out: Map<string, [JsonPath, unknown]>): void {
  if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...prefix, i], out));
  else if (isRecord(v)) for (const [k, x] of Object.entries(v)) leaves(x, [...prefix, k], out);
  else if (v !== null && v !== undefined) out.set(JSON.stringify(prefix), [prefix, v]);
}

/** The leaves that differ between two objects, with their values before and after. */
function changedLeaves(before: unknown, after: unknown): Array<[JsonPath, unknown, unknown]> {
  const b = new Map<string, [JsonPath, unknown]>();
  const a = new Map<string, [JsonPath, unknown]>();
  leaves(before, [], b);
  leaves(after, [], a);
  const out: Array<[JsonPath, unknown, unknown]> = [];
  for (const key of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const path = (b.get(key) ?? a.get(key))![0];
    const fallback = DEFAULTS.find(([p]) => p.length === path.length && covers(p, path))?.[1];
    const was = b.get(key)?.[1] ?? fallback;
    const now = a.get(key)?.[1] ?? fallback;
    if (!Object.is(was, now)) out.push([path, was, now]);
  }
  return out;
}

const show = (v: unknown): string => {
  if (v === undefined) return 'unset';
  const s = JSON.stringify(v) ?? 'null';
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/** A probe removed whole is judged whole by guards (flagged with what is lost), not field by field. */
function probeRemoved(path: JsonPath, proposed: unknown): boolean {
  const [, , , list, i, probe] = path;
  if (typeof i !== 'number' || !PROBES.some((p) => p === probe)) return false;
  const c = asRecord(asArray(podSpec(proposed)[String(list)]).at(i));
  return c[String(probe)] === undefined || c[String(probe)] === null;
}

/** Who a path belongs to, and the path below it: `container app` + `livenessProbe.httpGet.scheme`. */
function owner(path: JsonPath, proposed: unknown, live: unknown): [string, JsonPath] {
  const [a, b, c, list, i] = path;
  if (a === 'spec' && b === 'template' && c === 'spec' && typeof i === 'number') {
    const kind = list === 'containers' ? 'container' : list === 'initContainers' ? 'init container' : null;
    if (kind !== null) {
      const at = (o: unknown) => asString(asRecord(asArray(podSpec(o)[String(list)]).at(i)).name);
      return [`${kind} ${at(proposed) ?? at(live) ?? `#${i}`}`, path.slice(5)];
    }
  }
  if (a === 'spec' && b === 'template' && c === 'spec') return ['pods', path.slice(3)];
  return ['the workload', path];
}

/**
 * Flags each change inside the scope lock's allow-list that no rule judges, per owner, with the values
 * before and after. A whole template returning to an earlier revision is the owner's own and passes.
 */
export function unjudgedFields({ live, proposed, previousTemplates }: PolicyInput): Judgement {
  const out: Judgement = { violations: [], flags: [] };
  if (restoresRevision(proposed, previousTemplates)) return out;
  const byOwner = new Map<string, string[]>();
  for (const [path, was, now] of changedLeaves(live, proposed)) {
    if (!pathAllowed(path) || judged(path) || probeRemoved(path, proposed)) continue;
    const [who, rest] = owner(path, proposed, live);
    const list = byOwner.get(who) ?? [];
    list.push(`${formatPath(rest)} ${show(was)} → ${show(now)}`);
    byOwner.set(who, list);
  }
  for (const [who, changes] of byOwner) {
    out.flags.push(
      `${who}: ${changes.join(', ')}: no rule judges what ${changes.length === 1 ? 'this field does' : 'these fields do'}; read ${changes.length === 1 ? 'it' : 'them'} before applying`,
    );
  }
  return out;
}
