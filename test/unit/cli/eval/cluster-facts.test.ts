// The eval's judge reads kubelet-shaped pod statuses by itself: symptoms present, healthy, restarts stable.
import { describe, expect, it } from 'vitest';
import {
  healedAcross,
  missingSymptoms,
  podFacts,
  unhealthyReasons,
  type ClusterFacts,
} from '../../../../src/cli/eval/cluster-facts.js';
import { deployment, pod, replicaSet, statuses } from '../../../fixtures/index.js';

const deploy = deployment({ name: 'shop', replicas: 1 });
const rs = replicaSet(deploy, { hash: '5d8c9f7b6d', revision: 1, replicas: 1 });
const healthyWorkload: ClusterFacts['workload'] = {
  exists: true,
  desired: 1,
  generation: 2,
  observedGeneration: 2,
  replicas: 1,
  updated: 1,
  ready: 1,
  available: 1,
  conditions: [],
};

function facts(pods: ReturnType<typeof pod>[], over: Partial<ClusterFacts> = {}): ClusterFacts {
  return { workload: healthyWorkload, pods: pods.map(podFacts), events: [], ...over };
}

const oomPod = pod(rs, {
  suffix: 'x7k2p',
  containerStatuses: [
    statuses.crashLoopBackOff('app', 'acme/shop-web:1.4.0', 'shop-5d8c9f7b6d-x7k2p', {
      reason: 'OOMKilled',
      exitCode: 137,
      restarts: 3,
    }),
  ],
});
const readyPod = (restarts = 0) =>
  pod(rs, { suffix: 'q9w8e', containerStatuses: [statuses.ready('app', 'acme/shop-web:1.4.0', restarts)] });

describe('eval judge', () => {
  it('finds a stated symptom and names the facts that are missing', () => {
    const f = facts([oomPod], { workload: { ...healthyWorkload, ready: 0, available: 0 } });
    expect(missingSymptoms({ terminated: 'OOMKilled', restarts: 2 }, f)).toEqual([]);
    expect(missingSymptoms({ waiting: ['ImagePullBackOff', 'ErrImagePull'] }, f)).toEqual([
      'a container waiting with ImagePullBackOff or ErrImagePull',
    ]);
    expect(missingSymptoms({ event: { reason: 'FailedCreate', message: 'exceeded quota' } }, f)).toHaveLength(
      1,
    );
    const withEvent = {
      ...f,
      events: [{ reason: 'FailedCreate', message: 'pods "x" is forbidden: exceeded quota: pods' }],
    };
    expect(
      missingSymptoms({ event: { reason: 'FailedCreate', message: 'exceeded quota' } }, withEvent),
    ).toEqual([]);
  });

  it("reads a stopped rollout from the workload's own conditions", () => {
    const stuck = facts([readyPod()], {
      workload: {
        ...healthyWorkload,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
    });
    expect(
      missingSymptoms({ condition: { type: 'Progressing', reason: 'ProgressDeadlineExceeded' } }, stuck),
    ).toEqual([]);
    expect(
      missingSymptoms(
        { condition: { type: 'Progressing', status: 'Unknown', reason: 'ProgressDeadlineExceeded' } },
        stuck,
      ),
    ).toEqual(['condition Progressing=Unknown ProgressDeadlineExceeded']);
    expect(
      missingSymptoms(
        { condition: { type: 'Progressing', reason: 'DeploymentPaused' } },
        facts([readyPod()]),
      ),
    ).toEqual(['condition Progressing DeploymentPaused']);
  });

  it('sees an unschedulable pod and an init container in back-off', () => {
    const pending = pod(rs, {
      suffix: 'p1p1p',
      unschedulable: '0/3 nodes are available: 3 Insufficient memory.',
    });
    expect(missingSymptoms({ unschedulable: true }, facts([pending]))).toEqual([]);
    const init = pod(rs, {
      suffix: 'i1i1i',
      initContainerStatuses: [
        statuses.crashLoopBackOff('migrate', 'busybox:1.36', 'shop-i1i1i', { reason: 'Error', exitCode: 1 }),
      ],
      containerStatuses: [],
    });
    expect(missingSymptoms({ waiting: ['CrashLoopBackOff'], terminated: 'Error' }, facts([init]))).toEqual(
      [],
    );
  });

  it('is not healthy while a replica is unavailable or a container waits', () => {
    expect(unhealthyReasons(facts([readyPod()]))).toEqual([]);
    const why = unhealthyReasons(
      facts([oomPod], { workload: { ...healthyWorkload, available: 0, ready: 0 } }),
    );
    expect(why.join('; ')).toMatch(/0\/1 available/);
    expect(why.join('; ')).toMatch(/waiting: app CrashLoopBackOff/);
    expect(
      unhealthyReasons(facts([readyPod()], { workload: { ...healthyWorkload, observedGeneration: 1 } })),
    ).toEqual(['the controller has not observed the latest spec']);
  });

  it('healed needs restart counts to stay put across the settle window', () => {
    expect(healedAcross(facts([readyPod(1)]), facts([readyPod(1)]))).toEqual([]);
    expect(healedAcross(facts([readyPod(1)]), facts([readyPod(2)]))).toEqual([
      'restarted during the settle window: shop-5d8c9f7b6d-q9w8e/app',
    ]);
  });
});
