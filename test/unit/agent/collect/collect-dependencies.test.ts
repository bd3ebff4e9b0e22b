// crash_loop analyzer and rule engine for init containers (Init:CrashLoopBackOff, rollback) and crashes caused by another Service.
import { policyConfig } from '../../../fixtures/policy-fixtures.js';
import { describe, it, expect } from 'vitest';
import { crashLoop } from '../../../../src/agent/analyzers/crash-loop.js';
import { checkDependencies, serviceOfHost } from '../../../../src/agent/collect/collect-dependencies.js';
import type { Evidence } from '../../../../src/domain/index.js';
import {
  deployment,
  evidenceFrom,
  pod,
  podName,
  replicaSet,
  service,
  singleRevision,
  statuses,
  webContainer,
  type ContainerInput,
  diagnoseEvidence,
} from '../../../fixtures/index.js';

const POLICY = policyConfig();
const diagnose = (evidence: Evidence) => diagnoseEvidence(evidence, POLICY);

const migrate = (command: string[]): ContainerInput => ({ name: 'migrate', image: 'busybox:1.36', command });
const web = webContainer('nginx:1.25');

/** Revision 1 (init container succeeds, 2 pods ready) → revision 2 whose init container fails. */
function initRollout(): Evidence {
  const before = { containers: [web], initContainers: [migrate(['sh', '-c', 'exit 0'])] };
  const after = { containers: [web], initContainers: [migrate(['sh', '-c', 'migrate --up'])] };
  const old = deployment({ ...before, replicas: 2 });
  const d = deployment({
    ...after,
    replicas: 2,
    revision: 2,
    status: { replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 },
  });
  const oldRs = replicaSet(d, {
    hash: '5d8c9f7b6d',
    revision: 1,
    template: (old.spec as { template: Record<string, unknown> }).template,
    replicas: 2,
    ready: 2,
    available: 2,
  });
  const newRs = replicaSet(d, { hash: '7d9f8c6b5d', revision: 2, replicas: 1 });
  const oldPods = ['x7k2p', 'q9w4z'].map((suffix) =>
    pod(oldRs, {
      suffix,
      initContainerStatuses: [statuses.ready('migrate', 'busybox:1.36')],
      containerStatuses: [statuses.ready('web', web.image)],
    }),
  );
  const newPod = pod(newRs, {
    suffix: 'abcde',
    phase: 'Pending',
    initContainerStatuses: [
      statuses.crashLoopBackOff('migrate', 'busybox:1.36', podName(newRs, 'abcde'), {
        reason: 'Error',
        exitCode: 127,
        restarts: 4,
      }),
    ],
    containerStatuses: [],
  });
  return evidenceFrom({
    deployment: d,
    replicaSets: [oldRs, newRs],
    pods: [...oldPods, newPod],
    logs: [
      {
        pod: podName(newRs, 'abcde'),
        container: 'migrate',
        previous: true,
        lines: ['sh: 1: migrate: not found'],
      },
    ],
  });
}

describe('init containers', () => {
  it('names a failing init container as such, with the kubelet state', () => {
    const [f] = crashLoop.analyze(initRollout());
    expect(f!.container).toBe('migrate');
    expect(f!.facts).toMatchObject({ initContainer: true, cause: 'command_not_found', command: 'migrate' });
    expect(f!.message).toMatch(/^Init container migrate cannot start: command "migrate" is not found/);
    expect(f!.evidence).toContain('sh: 1: migrate: not found');
  });

  it('rolls back when the rollout introduced the failing init container', () => {
    const d = diagnose(initRollout());
    expect(d.category).toBe('crash_loop');
    expect(d.change?.patch[0]).toMatchObject({ op: 'replace', path: '/spec/template' });
    expect(d.rootCause).toContain('Init container migrate');
    expect(d.rootCause).toContain('It began with revision 2');
  });
});

const REFUSED = 'Error: connect ECONNREFUSED db:5432';

function dependsOnDb(dbService: boolean, readyDb: number): Evidence {
  const api = { name: 'api', image: 'ghcr.io/acme/api:2.3.1' };
  const input = singleRevision(
    { name: 'api', containers: [api] },
    (p) => [statuses.crashLoopBackOff('api', api.image, p, { reason: 'Error', exitCode: 1 })],
    0,
  );
  const dbSvc = service('db', 'shop', { app: 'db' }, [{ port: 5432, targetPort: 5432 }]);
  const logs = [
    { pod: 'api-5d8c9f7b6d-x7k2p', container: 'api', previous: true, lines: ['starting', REFUSED] },
  ];
  const slices = Array.from({ length: readyDb }, () => ({
    metadata: { labels: { 'kubernetes.io/service-name': 'db' } },
    endpoints: [{ addresses: ['10.244.1.7'], conditions: { ready: true } }],
  }));
  const dependencies = checkDependencies(
    logs.map((l) => ({ ...l, truncated: false, error: null })),
    'shop',
    dbService ? [dbSvc] : [],
    slices,
  );
  return evidenceFrom({ ...input, logs, dependencies });
}

describe('crashes caused by a dependency', () => {
  it('matches hosts to Services of the namespace, and leaves external names alone', () => {
    expect(serviceOfHost('db:5432', 'shop', [])).toEqual({ service: 'db', namespace: 'shop' });
    expect(serviceOfHost('db.data.svc.cluster.local:5432', 'shop', [])).toEqual({
      service: 'db',
      namespace: 'data',
    });
    expect(serviceOfHost('api.stripe.com', 'shop', [])).toBeNull();
  });

  it('names the dependency and that it has no ready endpoints, and changes nothing', () => {
    const evidence = dependsOnDb(true, 0);
    expect(evidence.dependencies).toEqual([
      expect.objectContaining({ service: 'db', exists: true, readyEndpoints: 0 }),
    ]);
    const [f] = crashLoop.analyze(evidence);
    expect(f!.facts).toMatchObject({
      cause: 'dependency_unreachable',
      dependency: 'shop/db',
      dependencyExists: true,
      dependencyReadyEndpoints: 0,
    });
    expect(f!.message).toContain('cannot reach db:5432: Service db has no ready endpoints');
    expect(f!.evidence).toContain(REFUSED);
    const d = diagnose(evidence);
    expect(d.change).toBeNull();
    expect(d.humanAction).toContain('Bring up the pods behind Service `db`');
  });

  it('says when the Service does not exist at all', () => {
    const d = diagnose(dependsOnDb(false, 0));
    expect(d.humanAction).toContain('Service `db` does not exist in namespace `shop`');
    expect(d.change).toBeNull();
  });
});
