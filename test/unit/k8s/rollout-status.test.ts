// Rollout completion rules for Deployments and StatefulSets, as kubectl rollout status applies them.
import { describe, expect, it } from 'vitest';
import { rolloutStatus } from '../../../src/k8s/rollout-status.js';

const deploy = (status: Record<string, unknown>, replicas = 2, generation = 3) => ({
  kind: 'Deployment',
  metadata: { generation },
  spec: { replicas },
  status: { observedGeneration: generation, ...status },
});

describe('rolloutStatus', () => {
  it('waits for the controller to observe the new generation', () => {
    expect(
      rolloutStatus(
        deploy({ observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 2 }),
        3,
      ).done,
    ).toBe(false);
  });
  it('is done when all replicas are updated and available and old ones are gone', () => {
    expect(rolloutStatus(deploy({ updatedReplicas: 2, replicas: 2, availableReplicas: 2 }), 3)).toMatchObject(
      { done: true, failed: false },
    );
  });
  it('waits for old replicas to terminate and new ones to become available', () => {
    expect(
      rolloutStatus(deploy({ updatedReplicas: 2, replicas: 3, availableReplicas: 2 }), 3).message,
    ).toMatch(/old replicas/);
    expect(
      rolloutStatus(deploy({ updatedReplicas: 2, replicas: 2, availableReplicas: 1 }), 3).message,
    ).toMatch(/1 of 2/);
  });
  it('fails on ProgressDeadlineExceeded', () => {
    const s = rolloutStatus(
      deploy({
        updatedReplicas: 1,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "web-1" has timed out progressing.',
          },
        ],
      }),
      3,
    );
    expect(s).toMatchObject({ done: false, failed: true });
    expect(s.message).toMatch(/timed out progressing/);
  });
  it('handles StatefulSets by ready, updated and current revision', () => {
    const sts = (status: Record<string, unknown>) => ({
      kind: 'StatefulSet',
      metadata: { generation: 2 },
      spec: { replicas: 1 },
      status: { observedGeneration: 2, ...status },
    });
    expect(
      rolloutStatus(
        sts({ updatedReplicas: 1, readyReplicas: 1, currentRevision: 'a', updateRevision: 'a' }),
        2,
      ).done,
    ).toBe(true);
    expect(rolloutStatus(sts({ updatedReplicas: 1, readyReplicas: 0 }), 2).done).toBe(false);
    expect(
      rolloutStatus(
        sts({ updatedReplicas: 1, readyReplicas: 1, currentRevision: 'a', updateRevision: 'b' }),
        2,
      ).done,
    ).toBe(false);
  });
});
