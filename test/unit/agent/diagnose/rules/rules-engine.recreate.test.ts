// Rollback under the Recreate strategy: the old ReplicaSet is at 0, so its health is not on record; say so, score lower.
import { policyConfig } from '../../../../fixtures/policy-fixtures.js';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../../../../src/domain/index.js';
import { diagnoseEvidence, evidenceFrom, scenarios, type EvidenceInput } from '../../../../fixtures/index.js';

const POLICY = policyConfig();
type Obj = { spec: Record<string, unknown>; status: Record<string, unknown> };

/** The bad-tag rollout after the old ReplicaSet was scaled to 0 (by Recreate, or by a rollout that completed). */
function oldScaledToZero(strategy: 'Recreate' | 'RollingUpdate'): EvidenceInput {
  const e = scenarios.imagePullRollout();
  const d = e.deployment as unknown as Obj;
  d.spec.strategy = strategy === 'Recreate' ? { type: 'Recreate' } : d.spec.strategy;
  Object.assign(d.status, { replicas: 1, readyReplicas: 0, availableReplicas: 0 });
  const [oldRs, newRs] = e.replicaSets! as unknown as Obj[];
  oldRs!.spec.replicas = 0;
  oldRs!.status = { replicas: 0, observedGeneration: 1 };
  const newPods = e.pods!.filter((p) => JSON.stringify(p.metadata).includes('abcde'));
  return { ...e, replicaSets: [oldRs, newRs] as never, pods: newPods };
}
const diagnose = (input: EvidenceInput): Diagnosis => diagnoseEvidence(evidenceFrom(input), POLICY);

describe('rollback when the old revision is scaled to 0', () => {
  it('under Recreate: proposes the revision that ran before, says its health is not recorded, scores lower', () => {
    const verified = diagnose(scenarios.imagePullRollout());
    const d = diagnose(oldScaledToZero('Recreate'));
    expect(d.change?.patch).toEqual(verified.change?.patch);
    expect(d.change?.summary[0]).toContain(
      'the Recreate strategy scaled it to 0, so its health is not recorded',
    );
    expect(d.notes.join('\n')).toContain('check the change below before approving');
    expect(d.confidence).toBeLessThan(verified.confidence);
  });

  it('under RollingUpdate: an old revision at 0 means the new one was available once, so no rollback', () => {
    const d = diagnose(oldScaledToZero('RollingUpdate'));
    expect(d.change?.patch?.[0]?.path).not.toBe('/spec/template');
  });
});
