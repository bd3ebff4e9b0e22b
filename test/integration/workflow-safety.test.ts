// The workflow's safety on the sandbox: safe rollback, decision-time re-checks, permanent vs transient failures.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mintWorkerKubeconfig } from '../../sandbox/mint-kubeconfig.js';
import { isCodedError } from '../../src/domain/index.js';
import { createKubeCluster } from '../../src/k8s/kube-cluster.js';
import type { Cluster } from '../../src/k8s/cluster.js';
import { classifyFailure } from '../../src/queue/classify-failure.js';
import { applyApproved } from '../../src/workflow/approve.js';
import { oneClusterPolicy } from '../../src/workflow/decision-checks.js';
import { rollbackApplied } from '../../src/workflow/rollback.js';
import type { WorkflowDeps } from '../../src/workflow/workflow-ports.js';
import { startDropProxy } from './support/drop-proxy.js';
import {
  createNamespace,
  deleteNamespace,
  deployment,
  waitAvailable,
  type Kube,
  useNamespace,
} from './support/kube.js';
import { waitFor } from './support/wait-for.js';
import { APPROVER, REQUESTER, proposeAndApprove, workflowHarness } from './support/workflow-harness.js';

let k: Kube;
let ns: string;
let cluster: Cluster;
const retry = { finalAttempt: false };

const live = (name: string) => k.apps.readNamespacedDeployment({ name, namespace: ns });
const image = async (name: string) => (await live(name)).spec?.template.spec?.containers[0]?.image;

async function patchImage(name: string, value: string): Promise<void> {
  await k.apps.patchNamespacedDeployment(
    { name, namespace: ns, body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value }] },
    { headers: { 'Content-Type': 'application/json-patch+json' } } as never,
  );
}

/** A Deployment that was healthy on nginx:1.27 and whose last release (nginx:1.99) cannot pull. */
async function brokenRelease(name: string): Promise<void> {
  await k.apps.createNamespacedDeployment({ namespace: ns, body: deployment(name, { image: 'nginx:1.27' }) });
  await waitAvailable(k, ns, name);
  await patchImage(name, 'nginx:1.99');
  await waitFor(
    async () =>
      (await k.core.listNamespacedPod({ namespace: ns, labelSelector: `app=${name}` })).items.some((p) =>
        p.status?.containerStatuses?.[0]?.state?.waiting?.reason?.includes('ImagePull'),
      ),
    { what: `${name} pods failing to pull nginx:1.99` },
  );
}

const target = (name: string) => ({ kind: 'Deployment' as const, name, namespace: ns });

async function requestRollback(deps: WorkflowDeps, id: string): Promise<void> {
  const r = await deps.store.transition(id, { from: ['applied', 'rollback_failed'], to: 'rolling_back' });
  expect(r.kind).toBe('ok');
}

useNamespace('wf', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  cluster = createKubeCluster({ kubeconfig: k.kubeconfig });
});
describe('safe rollback', () => {
  it('right after the apply: restores the template kept with the proposal, through policy and dry-run', async () => {
    await brokenRelease('undo');
    const { deps, notes } = workflowHarness(cluster, ns);
    const record = await proposeAndApprove(deps, target('undo'));
    expect(await applyApproved(deps, record.id, APPROVER, retry)).toBe('fixed');
    expect(await image('undo')).toBe('nginx:1.27');
    expect((await deps.store.get(record.id))!.appliedTemplate?.digest).toMatch(/^[0-9a-f]{64}$/);
    await requestRollback(deps, record.id);
    // The restored template is the broken release: its rollout never heals, so it is watched briefly.
    const brief = { ...deps, config: { ...deps.config, rolloutTimeoutSeconds: 5 } };
    const rolled = await rollbackApplied(brief, record.id, APPROVER, retry);
    expect(notes.refusals).toEqual([]);
    expect(rolled).toBe('rolled_back');
    expect(await image('undo')).toBe('nginx:1.99');
    expect((await deps.store.get(record.id))!.state).toBe('rolled_back');
    expect(notes.outcomes.map((o) => o.kind)).toEqual(['applied', 'rolled_back']);
  });

  it('after a newer release: refused, the newer release untouched, the message names what changed', async () => {
    await brokenRelease('newer');
    const { deps, notes } = workflowHarness(cluster, ns);
    const record = await proposeAndApprove(deps, target('newer'));
    expect(await applyApproved(deps, record.id, APPROVER, retry)).toBe('fixed');
    await patchImage('newer', 'nginx:1.28'); // someone else's release
    await waitAvailable(k, ns, 'newer');
    const before = (await live('newer')).metadata?.generation;
    await requestRollback(deps, record.id);
    expect(await rollbackApplied(deps, record.id, APPROVER, retry)).toBe('rollback_refused');
    const after = await live('newer');
    expect(after.metadata?.generation).toBe(before);
    expect(after.spec?.template.spec?.containers[0]?.image).toBe('nginx:1.28');
    expect((await deps.store.get(record.id))!.state).toBe('rollback_failed');
    expect(notes.refusals).toHaveLength(1);
    expect(notes.refusals[0]).toContain('container app: image nginx:1.27 → nginx:1.28');
    expect(notes.refusals[0]).toContain(`kubectl rollout undo deployment/newer -n ${ns}`);
  });
});

describe('decision-time re-checks (in the worker)', () => {
  it('allowlist shrunk between proposal and approval: refused, nothing changed', async () => {
    await brokenRelease('shrink');
    const { deps, notes } = workflowHarness(cluster, ns);
    const record = await proposeAndApprove(deps, target('shrink'));
    const generation = (await live('shrink')).metadata?.generation;
    const shrunk = { ...deps, decisions: oneClusterPolicy('default', ['somewhere-else'], true) };
    expect(await applyApproved(shrunk, record.id, APPROVER, retry)).toBe('refused');
    expect((await live('shrink')).metadata?.generation).toBe(generation);
    expect(await image('shrink')).toBe('nginx:1.99');
    expect((await deps.store.get(record.id))!.state).toBe('apply_failed');
    expect(notes.refusals[0]).toMatch(new RegExp(`Namespace "${ns}" is not allowed`));
  });

  it("a proposal of another cluster reaching this cluster's worker: refused, nothing changed here", async () => {
    const { deps, notes } = workflowHarness(cluster, ns);
    const record = await proposeAndApprove(deps, target('shrink'), APPROVER, (p) => p, 'prod-eu');
    const generation = (await live('shrink')).metadata?.generation;
    expect(await applyApproved(deps, record.id, APPROVER, retry)).toBe('wrong_cluster');
    // Kept for a worker of its own cluster.
    expect((await deps.store.get(record.id))!.state).toBe('approved');
    expect((await live('shrink')).metadata?.generation).toBe(generation);
    expect(await image('shrink')).toBe('nginx:1.99');
    expect(notes.refusals[0]).toMatch(/This proposal is for cluster prod-eu, .* acting on cluster default/);
  });

  it('AUTOFIX_SELF_APPROVAL=false: the requester cannot approve their own fix', async () => {
    const { deps, notes } = workflowHarness(cluster, ns, {
      decisions: oneClusterPolicy('default', [ns], false),
    });
    const own = await proposeAndApprove(deps, target('shrink'), REQUESTER);
    expect(await applyApproved(deps, own.id, REQUESTER, retry)).toBe('refused');
    expect(notes.refusals[0]).toMatch(/cannot also approve its fix \(AUTOFIX_SELF_APPROVAL=false\)/);
    expect(await image('shrink')).toBe('nginx:1.99');
  });

  it('a change the front end could not show whole: refused, nothing changed', async () => {
    const { deps, notes } = workflowHarness(cluster, ns);
    const unseen = { ...deps, notifier: { ...deps.notifier, showsWhole: () => false } };
    const record = await proposeAndApprove(deps, target('shrink'));
    expect(await applyApproved(unseen, record.id, APPROVER, retry)).toBe('refused');
    expect(notes.refusals[0]).toContain('too long to be shown whole where it was approved');
    expect(notes.refusals[0]).toContain(`kube-autofix fix deployment/shrink -n ${ns}`);
    expect(await image('shrink')).toBe('nginx:1.99');
    expect((await deps.store.get(record.id))!.state).toBe('apply_failed');
  });

  it('an approver removed since the click: refused', async () => {
    const { deps, notes } = workflowHarness(cluster, ns, { authority: { isApprover: async () => false } });
    const record = await proposeAndApprove(deps, target('shrink'));
    expect(await applyApproved(deps, record.id, APPROVER, retry)).toBe('refused');
    expect(notes.refusals[0]).toMatch(/not \(or no longer\) an approver/);
    expect(await image('shrink')).toBe('nginx:1.99');
  });
});

describe('permanent vs transient failures', () => {
  it('a stored change altered after its validation (replicas -1, which the server would answer 422): judged again at apply, permanent, one clear message, nothing applied', async () => {
    const { deps, notes } = workflowHarness(cluster, ns);
    const record = await proposeAndApprove(deps, target('shrink'), APPROVER, (p) => ({
      ...p,
      change: { ...p.change, patch: [{ op: 'replace', path: '/spec/replicas', value: -1 }] },
    }));
    const generation = (await live('shrink')).metadata?.generation;
    const err = await applyApproved(deps, record.id, APPROVER, retry).catch((e: unknown) => e);
    expect(isCodedError(err) && err.code).toBe('PATCH_REJECTED');
    expect(classifyFailure(err)).toBe('permanent');
    expect(notes.refusals).toHaveLength(1);
    // The apply's own checks stop it before the server sees it (the server's 422 mapping: unit apply-change).
    expect(notes.refusals[0]).toMatch(
      /is not applied: it no longer passes the safety policy \(.*spec\.replicas/,
    );
    expect(notes.refusals[0]).toMatch(/Nothing was changed\./);
    expect((await deps.store.get(record.id))!.state).toBe('apply_failed');
    expect((await live('shrink')).metadata?.generation).toBe(generation);
  });

  it('403 from the API server: permanent, one clear message, nothing applied', async () => {
    const other = await createNamespace(k, 'wf-other');
    try {
      const file = join(tmpdir(), `wf-${other}.kubeconfig`);
      writeFileSync(file, await mintWorkerKubeconfig(k.kubeconfig, [other]), { mode: 0o600 });
      const { deps, notes } = workflowHarness(cluster, ns);
      const record = await proposeAndApprove(deps, target('shrink'));
      const denied = { ...deps, cluster: createKubeCluster({ kubeconfig: file }) };
      const err = await applyApproved(denied, record.id, APPROVER, retry).catch((e: unknown) => e);
      expect(isCodedError(err) && err.code).toBe('FORBIDDEN');
      expect(classifyFailure(err)).toBe('permanent');
      expect(notes.refusals).toHaveLength(1);
      expect(notes.refusals[0]).toMatch(/forbidden/i);
      expect(await image('shrink')).toBe('nginx:1.99');
    } finally {
      await deleteNamespace(k, other);
    }
  });

  it('a dropped connection: transient, left for the retry, which applies exactly once', async () => {
    const proxy = await startDropProxy(k.kubeconfig);
    try {
      const { deps, notes } = workflowHarness(cluster, ns);
      const record = await proposeAndApprove(deps, target('shrink'));
      const flaky = { ...deps, cluster: createKubeCluster({ kubeconfig: proxy.kubeconfig }) };
      proxy.setDropping(true);
      const err = await applyApproved(flaky, record.id, APPROVER, retry).catch((e: unknown) => e);
      expect(isCodedError(err) && err.code).toBe('CLUSTER_UNREACHABLE');
      expect(classifyFailure(err)).toBe('transient');
      expect(notes.refusals).toEqual([]);
      expect((await deps.store.get(record.id))!.state).toBe('applying');
      proxy.setDropping(false);
      expect(await applyApproved(flaky, record.id, APPROVER, retry)).toBe('fixed');
      expect((await live('shrink')).metadata?.generation).toBe(record.proposal.base.generation + 1);
      expect(await image('shrink')).toBe('nginx:1.27');
    } finally {
      await proxy.close();
    }
  });
});
