// Scheduling guard: tolerations may change, but not so that pods land on control-plane nodes or ignore every taint.
import { asArray, asRecord, deepEqual } from '../domain/json-access.js';
import type { PolicyInput } from './policy-rule.js';
import { podSpec } from './pod-view.js';

const CONTROL_PLANE_TAINTS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/** Node selector and node affinity keys the change adds that pick control-plane nodes. */
function controlPlaneSelectors(live: unknown, proposed: unknown): string[] {
  const keys = (obj: unknown): string[] => {
    const spec = podSpec(obj);
    const affinity = asRecord(asRecord(spec.affinity).nodeAffinity);
    const required = asArray(
      asRecord(affinity.requiredDuringSchedulingIgnoredDuringExecution).nodeSelectorTerms,
    );
    const preferred = asArray(affinity.preferredDuringSchedulingIgnoredDuringExecution).map(
      (p) => asRecord(p).preference,
    );
    const exprs = [...required, ...preferred].flatMap((t) => asArray(asRecord(t).matchExpressions));
    return [...Object.keys(asRecord(spec.nodeSelector)), ...exprs.map((e) => String(asRecord(e).key))];
  };
  const before = new Set(keys(live));
  return keys(proposed)
    .filter((k) => CONTROL_PLANE_TAINTS.includes(k) && !before.has(k))
    .map((k) => `selecting nodes by ${k} would place the pods on control-plane nodes`);
}

/** Tolerations the change adds (ones already live are the owner's choice) that widen placement too far. */
export function schedulingGuard({ live, proposed }: PolicyInput): string[] {
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
  return [...out, ...controlPlaneSelectors(live, proposed)];
}
