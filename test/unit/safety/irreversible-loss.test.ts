// Irreversible loss: deleting claims and changing what decides data or rollout pace is refused; scale-downs and all-at-once rollouts are flagged.
import { describe, expect, it } from 'vitest';
import type { KubeObject, PatchOp } from '../../../src/domain/index.js';
import { irreversibleLoss, podsDownAtOnce } from '../../../src/safety/irreversible-loss.js';
import {
  liveDaemonSet,
  liveDeployment,
  liveStatefulSet,
  patched,
  policyConfig,
  policyTarget,
} from '../../fixtures/policy-fixtures.js';

const C0 = '/spec/template/spec/containers/0';
const raise: PatchOp = { op: 'replace', path: `${C0}/resources/limits/memory`, value: '128Mi' };

function judge(live: KubeObject, ops: PatchOp[]) {
  return irreversibleLoss({
    target: policyTarget,
    live,
    proposed: patched(ops, live),
    policy: policyConfig(),
  });
}

describe('irreversible loss', () => {
  it('refuses a StatefulSet scale-down that deletes claims, naming the pods whose data goes', () => {
    expect(
      judge(liveStatefulSet(), [{ op: 'replace', path: '/spec/replicas', value: 1 }]).violations,
    ).toEqual([
      'scaling StatefulSet web from 3 to 1 replicas deletes the PersistentVolumeClaims of pods web-1 to web-2 and their data (persistentVolumeClaimRetentionPolicy whenScaled: Delete)',
    ]);
  });

  it('flags a StatefulSet scale-down that keeps its claims, and a Deployment scale-down', () => {
    const retained = patched(
      [{ op: 'replace', path: '/spec/persistentVolumeClaimRetentionPolicy/whenScaled', value: 'Retain' }],
      liveStatefulSet(),
    );
    expect(judge(retained, [{ op: 'replace', path: '/spec/replicas', value: 2 }]).flags).toEqual([
      'replicas go from 3 to 2: 1 pod(s) stop and the workload serves with less capacity; pods web-2 to web-2 stop (their claims are kept)',
    ]);
    expect(judge(liveDeployment(), [{ op: 'remove', path: '/spec/replicas' }]).flags).toEqual([
      'replicas go from 3 to 1: 2 pod(s) stop and the workload serves with less capacity',
    ]);
  });

  it.each<[string, KubeObject, PatchOp, RegExp]>([
    [
      'changed volumeClaimTemplates',
      liveStatefulSet(),
      { op: 'replace', path: '/spec/volumeClaimTemplates/0/spec/resources/requests/storage', value: '1Gi' },
      /volumeClaimTemplates must not change: new pods would get other volumes/,
    ],
    [
      'a retention policy that deletes on delete',
      liveStatefulSet(),
      { op: 'replace', path: '/spec/persistentVolumeClaimRetentionPolicy/whenDeleted', value: 'Delete' },
      /persistentVolumeClaimRetentionPolicy must not change/,
    ],
    [
      'a Recreate strategy',
      liveDeployment(),
      { op: 'replace', path: '/spec/strategy', value: { type: 'Recreate' } },
      /spec\.strategy must not change: it decides how many pods stop at once/,
    ],
    [
      'maxUnavailable 100%',
      liveDeployment(),
      { op: 'replace', path: '/spec/strategy/rollingUpdate/maxUnavailable', value: '100%' },
      /spec\.strategy must not change/,
    ],
    [
      'parallel pod management',
      liveStatefulSet(),
      { op: 'replace', path: '/spec/podManagementPolicy', value: 'Parallel' },
      /podManagementPolicy must not change/,
    ],
  ])('refuses %s with the consequence', (_name, live, op, why) => {
    expect(judge(live, [op]).violations.join('\n')).toMatch(why);
  });

  it('flags a template change whose rollout stops every available pod at once', () => {
    const recreate = patched([{ op: 'replace', path: '/spec/strategy', value: { type: 'Recreate' } }]);
    expect(judge(recreate, [raise]).flags).toEqual([
      'the rollout stops every pod at once (the strategy allows 3 of 3 down): the 3 available pod(s) stop before new ones are ready, and the workload is down meanwhile',
    ]);
  });

  it('passes a template change with a rolling strategy, or when no pod is available anyway', () => {
    expect(judge(liveDeployment(), [raise])).toEqual({ violations: [], flags: [] });
    expect(judge(liveDaemonSet(), [raise])).toEqual({ violations: [], flags: [] });
    const down = patched([
      { op: 'replace', path: '/spec/strategy', value: { type: 'Recreate' } },
      { op: 'replace', path: '/status/availableReplicas', value: 0 },
    ]);
    expect(judge(down, [raise])).toEqual({ violations: [], flags: [] });
  });

  it('resolves maxUnavailable as the controllers do', () => {
    expect(podsDownAtOnce(liveDeployment(), 3)).toBe(0);
    expect(
      podsDownAtOnce(
        patched([{ op: 'replace', path: '/spec/strategy/rollingUpdate/maxUnavailable', value: '50%' }]),
        4,
      ),
    ).toBe(2);
    expect(podsDownAtOnce(liveStatefulSet(), 1)).toBe(1);
    expect(
      podsDownAtOnce(
        patched(
          [{ op: 'replace', path: '/spec/updateStrategy', value: { type: 'OnDelete' } }],
          liveStatefulSet(),
        ),
        3,
      ),
    ).toBe(0);
  });
});
