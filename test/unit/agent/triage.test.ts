// Namespace triage on real-shaped lists: exactly the unhealthy workloads, one line each, most severe first.
import { policyConfig } from '../../fixtures/policy-fixtures.js';
import { describe, it, expect } from 'vitest';
import { triageFromLists, type TriageLists } from '../../../src/agent/triage.js';
import { renderTriage } from '../../../src/cli/triage-command.js';
import type { KubeObject } from '../../../src/domain/index.js';
import { deployment, event, pod, podName, replicaSet, statuses } from '../../fixtures/index.js';

const POLICY = policyConfig();
const HASH = '5d8c9f7b6d';

/** As the API lists them: items carry no kind. */
const listed = (o: KubeObject): KubeObject => {
  const { kind: _kind, ...rest } = o;
  return rest;
};

function app(
  i: number,
  broken: 'pull' | 'crash' | null,
): Pick<TriageLists, 'deployments' | 'pods' | 'replicasets' | 'events'> {
  const name = `svc-${String(i).padStart(3, '0')}`;
  const image = broken === 'pull' ? 'nginx:1.99' : 'nginx:1.27';
  const ready = broken ? 0 : 2;
  const d = deployment({
    name,
    replicas: 2,
    containers: [{ name: 'web', image }],
    newReplicaSet: `${name}-${HASH}`,
    status: { readyReplicas: ready, availableReplicas: ready },
  });
  const rs = replicaSet(d, { hash: HASH, revision: 1, replicas: 2, ready, available: ready });
  const pods = ['x7k2p', 'q9w4z'].map((suffix) => {
    const p = podName(rs, suffix);
    const status =
      broken === 'pull'
        ? statuses.imagePullBackOff('web', image)
        : broken === 'crash'
          ? statuses.crashLoopBackOff('web', image, p, { reason: 'Error', exitCode: 1, restarts: i % 7 })
          : statuses.ready('web', image);
    return pod(rs, { suffix, containerStatuses: [status] });
  });
  const events =
    broken === 'pull'
      ? pods.map((p) =>
          event(
            p,
            'Failed',
            `Failed to pull image "${image}": rpc error: code = NotFound desc = ${image}: not found`,
          ),
        )
      : [];
  return { deployments: [listed(d)], pods, replicasets: [rs], events };
}

function namespaceOf(total: number, broken: Map<number, 'pull' | 'crash'>): TriageLists {
  const parts = Array.from({ length: total }, (_, i) => app(i, broken.get(i) ?? null));
  return {
    deployments: parts.flatMap((p) => p.deployments),
    statefulsets: [],
    daemonsets: [],
    pods: parts.flatMap((p) => p.pods),
    replicasets: parts.flatMap((p) => p.replicasets),
    controllerrevisions: [],
    events: parts.flatMap((p) => p.events),
  };
}

describe('triageFromLists', () => {
  // 200 workloads' pods go through redaction: over vitest's 5 s default on a loaded 2-core machine.
  it('lists exactly the 20 broken of 200 Deployments, with a diagnosis line each', () => {
    const broken = new Map<number, 'pull' | 'crash'>();
    for (let i = 0; i < 200; i += 10) broken.set(i, i % 20 === 0 ? 'pull' : 'crash');
    const items = triageFromLists(namespaceOf(200, broken), 'shop', POLICY);
    expect(items).toHaveLength(20);
    expect(new Set(items.map((i) => i.target.name))).toEqual(
      new Set([...broken.keys()].map((i) => `svc-${String(i).padStart(3, '0')}`)),
    );
    const pull = items.find((i) => i.target.name === 'svc-000')!;
    expect(pull).toMatchObject({ category: 'image_pull', severity: 'critical', ready: '0/2' });
    expect(pull.line).toContain('cannot pull image "nginx:1.99"');
    expect(items.find((i) => i.target.name === 'svc-010')!.category).toBe('crash_loop');
  }, 60_000);

  it('puts critical findings before warnings', () => {
    const items = triageFromLists(
      namespaceOf(
        40,
        new Map([
          [3, 'pull'],
          [5, 'crash'],
        ]),
      ),
      'shop',
      POLICY,
    );
    const order = items.map((i) => i.severity);
    expect(order).toEqual([...order].sort((a, b) => (a === b ? 0 : a === 'critical' ? -1 : 1)));
  });

  it('renders one line per workload and the API-call count', () => {
    const items = triageFromLists(namespaceOf(3, new Map([[1, 'pull']])), 'shop', POLICY);
    const text = renderTriage({ namespace: 'shop', workloads: 3, unhealthy: items, apiCalls: 7 });
    expect(text.split('\n')[0]).toBe('shop: 1 of 3 workloads unhealthy (7 API calls)');
    expect(text).toContain('deployment/svc-001');
  });
});
