// Scheduling guard: tolerations may change, but not so that pods land on control-plane nodes or ignore every taint.
import { asArray, asRecord, deepEqual } from './object-access.js';
import type { PolicyInput } from './policy-rule.js';
import { podSpec } from './pod-view.js';

const CONTROL_PLANE_TAINTS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

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
  return out;
}
