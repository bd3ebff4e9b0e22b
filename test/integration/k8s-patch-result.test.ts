// The real API server's answers to a guarded patch: a workload changed under it (its guard's test op fails, or a
// path is gone) is told apart from a refusal of the patched object, whatever words either message uses.
import { describe, expect, it } from 'vitest';
import { createKubeCluster } from '../../src/k8s/kube-cluster.js';
import type { PatchResult } from '../../src/k8s/cluster.js';
import type { PatchOp, Target } from '../../src/domain/index.js';
import { deployment, useNamespace, type Kube } from './support/kube.js';

let k: Kube;
let ns: string;
useNamespace('patch', (kk, n) => ((k = kk), (ns = n)));

async function fresh(name: string): Promise<{ target: Target; uid: string; generation: number }> {
  const d = await k.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(name, { image: 'nginx:1.25' }),
  });
  return {
    target: { kind: 'Deployment', namespace: ns, name },
    uid: d.metadata!.uid!,
    generation: d.metadata!.generation!,
  };
}

const failure = (r: PatchResult): Extract<PatchResult, { ok: false }> => {
  if (r.ok) throw new Error('the server accepted the patch');
  return r;
};

const image = (value: string): PatchOp[] => [
  { op: 'replace', path: '/spec/template/spec/containers/0/image', value },
];

describe('a guarded patch on the real API server', () => {
  it('a generation or uid that moved on, or a path that is gone: changed, and nothing stored', async () => {
    const cluster = createKubeCluster({ kubeconfig: k.kubeconfig });
    const { target, uid, generation } = await fresh('moved');
    for (const [guard, ops] of [
      [{ uid, generation: generation + 1 }, image('nginx:1.26')],
      [{ uid: '00000000-0000-0000-0000-000000000000', generation }, image('nginx:1.26')],
      [{ uid, generation }, [{ op: 'replace', path: '/spec/template/spec/containers/3/image', value: 'x' }]],
    ] as const) {
      for (const dryRun of [true, false]) {
        const r = failure(await cluster.patchWorkload(target, [...ops], { ...guard, dryRun }));
        expect(r.status).toBe(422);
        expect(r.changed).toBe(true);
      }
    }
    const now = await k.apps.readNamespacedDeployment({ name: 'moved', namespace: ns });
    expect(now.metadata!.generation).toBe(generation);
    expect(now.spec!.template.spec!.containers[0]!.image).toBe('nginx:1.25');
  });

  it('a refusal of the patched object is not "changed", even when its words include "test"', async () => {
    const cluster = createKubeCluster({ kubeconfig: k.kubeconfig });
    const { target, uid, generation } = await fresh('refused');
    const ops: PatchOp[] = [
      { op: 'replace', path: '/spec/template/spec/containers/0/name', value: 'test_Not-A-DNS-Label' },
    ];
    for (const dryRun of [true, false]) {
      const r = failure(await cluster.patchWorkload(target, ops, { uid, generation, dryRun }));
      expect(r.status).toBe(422);
      expect(r.message).toMatch(/test_Not-A-DNS-Label/);
      expect(r.changed).toBe(false);
    }
    // The same patch on an unchanged workload, valid this time, goes through: the guard itself is sound.
    const ok = await cluster.patchWorkload(target, image('nginx:1.26'), { uid, generation, dryRun: false });
    expect(ok.ok).toBe(true);
  });
});
