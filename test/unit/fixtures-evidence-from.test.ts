// The test fixtures summarise raw objects the way a collector does (so analyzer tests rest on real shapes).
import { describe, it, expect } from 'vitest';
import { evidenceFrom, pod, scenarios, statuses } from '../fixtures/index.js';

describe('evidenceFrom', () => {
  it('summarises a rollout: revisions newest first, current flagged, templates without pod-template-hash', () => {
    const e = evidenceFrom(scenarios.imagePullRollout());
    expect(
      e.revisions.map((r) => [r.name, r.revision, r.current, r.readyReplicas, r.availableReplicas]),
    ).toEqual([
      ['web-7d9f8c6b5d', 2, true, 0, 0],
      ['web-5d8c9f7b6d', 1, false, 3, 3],
    ]);
    expect(e.revisions[1]!.template).toMatchObject({ metadata: { labels: { app: 'web' } } });
    expect(JSON.stringify(e.revisions.map((r) => r.template))).not.toContain('pod-template-hash');
    expect(e.status).toMatchObject({
      generation: 2,
      observedGeneration: 2,
      replicas: 4,
      updatedReplicas: 1,
      readyReplicas: 3,
    });
  });

  it('summarises pods as the kubelet reported them', () => {
    const input = scenarios.oomKilled();
    const dying = pod(input.replicaSets![0]!, {
      suffix: 'old01',
      deleting: true,
      containerStatuses: [statuses.ready('app', 'ghcr.io/acme/api:2.3.1')],
    });
    const e = evidenceFrom({ ...input, pods: [...input.pods!, dying] });
    expect(e.pods[0]).toMatchObject({
      name: 'api-5d8c9f7b6d-x7k2p',
      phase: 'Pending',
      owner: 'api-5d8c9f7b6d',
      podTemplateHash: '5d8c9f7b6d',
      deleting: false,
      containers: [
        {
          name: 'app',
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
        },
      ],
    });
    expect(e.pods[1]!.deleting).toBe(true);
  });

  it('summarises events by involved object, and checks references without reading values', () => {
    const e = evidenceFrom(scenarios.missingConfig(true));
    expect(e.events[0]).toMatchObject({
      kind: 'Pod',
      name: 'web-5d8c9f7b6d-x7k2p',
      type: 'Warning',
      reason: 'Failed',
      count: 8,
      source: 'kubelet',
    });
    expect(e.references).toEqual([
      {
        kind: 'ConfigMap',
        name: 'app-config',
        key: 'LOG_LEVEL',
        optional: false,
        exists: true,
        keyExists: false,
        usedBy: 'container web env LOG_LEVEL',
      },
    ]);
  });
});
