// pod/<name> and replicaset/<name> resolve to the owning workload (and say so); bare pods are refused clearly.
import { describe, it, expect } from 'vitest';
import { resolveTarget } from '../../src/agent/resolve-target.js';
import type { Cluster, NamespacedResource } from '../../src/k8s/cluster.js';
import { AutofixError, parseTarget, parseTargetRef, type KubeObject } from '../../src/domain/index.js';
import { deployment, pod, replicaSet } from '../fixtures/index.js';

/** Only `get` is used; the objects are the fixtures' real-shaped ones, looked up by resource and name. */
function clusterOf(objects: Partial<Record<NamespacedResource, KubeObject[]>>): Cluster & { gets: string[] } {
  const gets: string[] = [];
  const fail = (): never => {
    throw new Error('not used');
  };
  return {
    gets,
    apiCalls: () => gets.length,
    identity: 'test',
    getWorkload: fail,
    list: fail,
    getSecretKeys: fail,
    listNodes: fail,
    readLog: fail,
    patchWorkload: fail,
    async get(resource, _ns, name) {
      gets.push(`${resource}/${name}`);
      return (objects[resource] ?? []).find((o) => (o.metadata as { name: string }).name === name) ?? null;
    },
  };
}

const d = deployment({ name: 'web' });
const rs = replicaSet(d, { hash: '5d8c9f7b6d', revision: 1, replicas: 1 });
const p = pod(rs, { suffix: 'x7k2p', containerStatuses: [] });

describe('resolveTarget', () => {
  it("resolves a Deployment's pod to the Deployment through its ReplicaSet, in two reads", async () => {
    const cluster = clusterOf({ pods: [p], replicasets: [rs] });
    const r = await resolveTarget(cluster, parseTargetRef('pod/web-5d8c9f7b6d-x7k2p', 'shop'));
    expect(r.target).toEqual({ kind: 'Deployment', name: 'web', namespace: 'shop' });
    expect(r.via).toBe('pod/web-5d8c9f7b6d-x7k2p → replicaset/web-5d8c9f7b6d → deployment/web');
    expect(cluster.gets).toEqual(['pods/web-5d8c9f7b6d-x7k2p', 'replicasets/web-5d8c9f7b6d']);
  });

  it('resolves rs/<name> and leaves workloads alone (no API call)', async () => {
    const cluster = clusterOf({ replicasets: [rs] });
    expect((await resolveTarget(cluster, parseTargetRef('rs/web-5d8c9f7b6d', 'shop'))).target.name).toBe(
      'web',
    );
    const direct = clusterOf({});
    expect(await resolveTarget(direct, parseTargetRef('deploy/web', 'shop'))).toEqual({
      target: { kind: 'Deployment', name: 'web', namespace: 'shop' },
      via: null,
    });
    expect(direct.gets).toEqual([]);
  });

  it('refuses a bare pod and a missing one with clear errors', async () => {
    const bare = structuredClone(p);
    delete (bare.metadata as { ownerReferences?: unknown }).ownerReferences;
    await expect(
      resolveTarget(clusterOf({ pods: [bare] }), parseTargetRef('pod/web-5d8c9f7b6d-x7k2p', 'shop')),
    ).rejects.toThrow(/has no controlling owner, so there is no workload/);
    await expect(resolveTarget(clusterOf({}), parseTargetRef('pod/nope', 'shop'))).rejects.toBeInstanceOf(
      AutofixError,
    );
  });

  it('keeps pod/ out of the workload-only grammar (Slack)', () => {
    expect(() => parseTarget('pod/web-1', 'shop')).toThrow(/Unsupported kind "pod"/);
    expect(parseTargetRef('po/web-1', 'shop').kind).toBe('Pod');
  });
});
