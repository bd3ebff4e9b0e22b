// Scheduling guard: placement may change, but not onto control-plane nodes, onto one named node, ignoring every
// taint, or next to another namespace's pods.
import { asArray, asRecord, deepEqual } from '../domain/json-access.js';
import type { PolicyInput } from './policy-rule.js';
import { podSpec } from './pod-view.js';

const CONTROL_PLANE_TAINTS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/** Selector keys that name one node: pinning there bypasses the scheduler's choice of a healthy node. */
const ONE_NODE_KEYS = ['kubernetes.io/hostname', 'metadata.name'];

/** Every key a pod spec selects nodes by: nodeSelector, and node affinity expressions and fields. */
function nodeKeys(obj: unknown): string[] {
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
  return [...Object.keys(asRecord(spec.nodeSelector)), ...exprs.map((e) => String(asRecord(e).key))];
}

/** Node selector and node affinity keys the change adds that pick control-plane nodes or one named node. */
function nodeSelectors(live: unknown, proposed: unknown): string[] {
  const before = new Set(nodeKeys(live));
  const added = nodeKeys(proposed).filter((k) => !before.has(k));
  return [
    ...added
      .filter((k) => CONTROL_PLANE_TAINTS.includes(k))
      .map((k) => `selecting nodes by ${k} would place the pods on control-plane nodes`),
    ...added
      .filter((k) => ONE_NODE_KEYS.includes(k))
      .map(
        (k) =>
          `selecting nodes by ${k} pins the pods to named nodes; select by a role, zone or capacity label instead`,
      ),
  ];
}

/**
 * Pod affinity terms (not anti-affinity, which only keeps pods apart) the change adds that match pods
 * outside the workload's namespace: co-locating with another tenant's or the system's pods.
 */
function foreignPodAffinity(live: unknown, proposed: unknown, namespace: string): string[] {
  const terms = (obj: unknown): unknown[] => {
    const a = asRecord(asRecord(podSpec(obj).affinity).podAffinity);
    return [
      ...asArray(a.requiredDuringSchedulingIgnoredDuringExecution),
      ...asArray(a.preferredDuringSchedulingIgnoredDuringExecution).map((p) => asRecord(p).podAffinityTerm),
    ];
  };
  const before = terms(live);
  const out: string[] = [];
  for (const term of terms(proposed)) {
    if (before.some((b) => deepEqual(b, term))) continue;
    const t = asRecord(term);
    const others = asArray(t.namespaces).filter((n) => n !== namespace);
    if (t.namespaceSelector !== undefined && t.namespaceSelector !== null)
      out.push(
        'pod affinity with a namespaceSelector matches pods of other namespaces; keep it to this namespace',
      );
    else if (others.length > 0)
      out.push(
        `pod affinity to pods in namespace ${others.map(String).join(', ')} would co-locate with another namespace's pods; keep it to this namespace`,
      );
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
  return [...out, ...nodeSelectors(live, proposed), ...foreignPodAffinity(live, proposed, target.namespace)];
}
