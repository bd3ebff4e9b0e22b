// Scheduling guard: placement may change, but not onto control-plane nodes, onto one named node, ignoring every
// taint, or next to another namespace's pods.
import { asArray, asRecord, deepEqual } from '../domain/json-access.js';
import type { PolicyInput } from './policy-rule.js';
import { podSpec } from './pod-view.js';

const CONTROL_PLANE_TAINTS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/** Selector keys that name one node: pinning there bypasses the scheduler's choice of a healthy node. */
const ONE_NODE_KEYS = ['kubernetes.io/hostname', 'metadata.name'];

interface NodePick {
  key: string;
  /** `In` for nodeSelector entries (equality). */
  operator: string;
  raw: unknown;
}

/** Every node choice of a pod spec: nodeSelector entries, node affinity expressions and fields (required and preferred). */
function nodePicks(obj: unknown): NodePick[] {
  const spec = podSpec(obj);
  const affinity = asRecord(asRecord(spec.affinity).nodeAffinity);
  const required = asArray(
    asRecord(affinity.requiredDuringSchedulingIgnoredDuringExecution).nodeSelectorTerms,
  );
  const preferred = asArray(affinity.preferredDuringSchedulingIgnoredDuringExecution).map(
    (p) => asRecord(p).preference,
  );
  const terms = [...required, ...preferred].map(asRecord);
  const exprs = terms.flatMap((t) => [...asArray(t.matchExpressions), ...asArray(t.matchFields)]);
  return [
    ...Object.entries(asRecord(spec.nodeSelector)).map(([key, value]) => ({
      key,
      operator: 'In',
      raw: { key, value },
    })),
    ...exprs.map((e) => ({ key: String(asRecord(e).key), operator: String(asRecord(e).operator), raw: e })),
  ];
}

/**
 * Node choices the change adds or changes (compared whole, not by key) that pick control-plane nodes or
 * one named node; `NotIn`/`DoesNotExist` only avoid nodes and pass.
 */
function nodeSelectors(live: unknown, proposed: unknown): string[] {
  const before = nodePicks(live);
  const added = nodePicks(proposed).filter((p) => !before.some((b) => deepEqual(b.raw, p.raw)));
  const picks = (p: NodePick) => p.operator === 'In' || p.operator === 'Exists';
  return [
    ...added
      .filter((p) => CONTROL_PLANE_TAINTS.includes(p.key) && picks(p))
      .map((p) => `selecting nodes by ${p.key} would place the pods on control-plane nodes`),
    ...added
      .filter((p) => ONE_NODE_KEYS.includes(p.key) && p.operator === 'In')
      .map(
        (p) =>
          `selecting nodes by ${p.key} pins the pods to named nodes; select by a role, zone or capacity label instead`,
      ),
  ];
}

/** Why a pod (anti-)affinity term reaches pods of other namespaces; null when it stays in `namespace`. */
function foreignReach(term: unknown, namespace: string): string | null {
  const t = asRecord(term);
  if (t.namespaceSelector !== undefined && t.namespaceSelector !== null) return 'a namespaceSelector';
  const others = asArray(t.namespaces).filter((n) => n !== namespace);
  return others.length > 0 ? `namespace ${others.map(String).join(', ')}` : null;
}

/**
 * Terms the change adds, each list compared on its own (a preferred term made required is new), that reach
 * other namespaces' pods: affinity co-locates with them; required anti-affinity, which the scheduler
 * enforces both ways, would keep their pods off our nodes.
 */
function foreignPodTerms(live: unknown, proposed: unknown, namespace: string): string[] {
  const lists = (obj: unknown) => {
    const affinity = asRecord(podSpec(obj).affinity);
    const a = asRecord(affinity.podAffinity);
    const anti = asRecord(affinity.podAntiAffinity);
    return {
      affinity: asArray(a.requiredDuringSchedulingIgnoredDuringExecution),
      preferredAffinity: asArray(a.preferredDuringSchedulingIgnoredDuringExecution).map(
        (p) => asRecord(p).podAffinityTerm,
      ),
      antiAffinity: asArray(anti.requiredDuringSchedulingIgnoredDuringExecution),
    };
  };
  const before = lists(live);
  const after = lists(proposed);
  const out: string[] = [];
  for (const name of ['affinity', 'preferredAffinity', 'antiAffinity'] as const) {
    for (const term of after[name]) {
      if (before[name].some((b) => deepEqual(b, term))) continue;
      const reach = foreignReach(term, namespace);
      if (reach === null) continue;
      out.push(
        name === 'antiAffinity'
          ? `required pod anti-affinity to pods in ${reach} would keep other namespaces' pods off these nodes; keep it to this namespace`
          : `pod affinity to pods in ${reach} would co-locate with another namespace's pods; keep it to this namespace`,
      );
    }
  }
  return out;
}

/** Placement the change adds (what is already live is the owner's choice) that widens it too far. */
export function schedulingGuard({ live, proposed, target }: PolicyInput): string[] {
  const before = asArray(podSpec(live).tolerations);
  const out: string[] = [];
  for (const t of asArray(podSpec(proposed).tolerations)) {
    if (before.some((b) => deepEqual(b, t))) continue;
    const key = asRecord(t).key;
    // The API server decodes a null key as empty, which with Exists matches every taint.
    if ((key === undefined || key === null || key === '') && asRecord(t).operator === 'Exists') {
      out.push(
        'a toleration with operator Exists and no key tolerates every taint; tolerate the specific taint instead',
      );
    } else if (key !== undefined && key !== null && typeof key !== 'string') {
      out.push(`a toleration key must be a string, not ${JSON.stringify(key)}`);
    } else if (typeof key === 'string' && CONTROL_PLANE_TAINTS.includes(key)) {
      out.push(`tolerating ${key} would let the pods run on control-plane nodes`);
    }
  }
  return [...out, ...nodeSelectors(live, proposed), ...foreignPodTerms(live, proposed, target.namespace)];
}
