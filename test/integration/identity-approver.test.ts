// AUTOFIX_APPLY_AS=approver on the real API server: RBAC decides who approves (SubjectAccessReview), the
// patch is sent as the approver, and the real audit log names them and the proposal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCodedError } from '../../src/domain/index.js';
import { createKubeCluster } from '../../src/k8s/kube-cluster.js';
import { EXTRA_KEYS } from '../../src/k8s/impersonation.js';
import type { Cluster } from '../../src/k8s/cluster.js';
import { applyApproved } from '../../src/workflow/approve.js';
import { proposingCluster } from '../../src/workflow/acting-as.js';
import { decide } from '../../src/workflow/decide.js';
import { oneClusterPolicy, type Authority, type DecisionPolicy } from '../../src/workflow/decision-checks.js';
import { rollbackApplied } from '../../src/workflow/rollback.js';
import type { WorkflowDeps } from '../../src/workflow/workflow-ports.js';
import {
  NOBODY,
  PEOPLE,
  approverWorkerKubeconfig,
  bind,
  ensureTestRoles,
  identityOf,
  requireAuditLog,
  workloadPatches,
} from './support/identities.js';
import { createNamespace, deleteNamespace, kube, waitAvailable, type Kube } from './support/kube.js';
import { brokenDeployment, imageOf } from './support/slack-flow.js';
import { waitFor } from './support/wait-for.js';
import { propose, workflowHarness } from './support/workflow-harness.js';

let k: Kube;
let ns: string;
let worker: Cluster;
const retry = { finalAttempt: false };
const WORKER_USER = 'system:serviceaccount:kube-autofix:kube-autofix-approver-worker';

const authority: Authority = { isApprover: async () => true, identityOf: async (u) => identityOf(u) };
const approverMode = (over: Partial<DecisionPolicy> = {}): DecisionPolicy => ({
  ...oneClusterPolicy('default', [ns], false),
  applyAs: 'approver',
  twoPerson: 'flagged',
  ...over,
});
const target = (name: string) => ({ kind: 'Deployment' as const, name, namespace: ns });
const generationOf = async (name: string) =>
  (await k.apps.readNamespacedDeployment({ name, namespace: ns })).metadata?.generation;

/** Workflow deps as the approver-mode worker has them: its own read-only cluster, the identity map. */
function approverDeps(decisions = approverMode()) {
  const h = workflowHarness(worker, ns, { authority, decisions });
  return { ...h, decisionDeps: { ...h.deps, reviewer: h.deps.cluster } };
}

/** The investigation as the worker runs it: dry-run as the requester (sam by default). */
async function proposed(deps: WorkflowDeps, name: string, requestedBy: string = PEOPLE.sam.slack) {
  const proposing = await proposingCluster(
    worker,
    authority,
    { applyAs: 'approver' },
    { requestedBy, proposalId: `dry-${name}`, target: target(name) },
  );
  return propose(deps, target(name), { ...proposing, requestedBy });
}

/** The one PATCH (not a dry-run) kube-autofix sent for `name`, as the audit log has it. */
async function auditedPatch(name: string, step: string) {
  return waitFor(
    async () =>
      workloadPatches(ns, name).find((e) => e.impersonatedUser?.extra?.[EXTRA_KEYS.step]?.[0] === step),
    { what: `the audit event of the ${step} PATCH of ${name}`, timeoutMs: 20_000 },
  );
}

beforeAll(async () => {
  k = kube();
  ns = await createNamespace(k, 'ident');
  await ensureTestRoles(k);
  await Promise.all([
    bind(k, ns, 'priya', 'editor'),
    bind(k, ns, 'ana', 'editor'),
    bind(k, ns, 'sam', 'editor'),
    bind(k, ns, 'lee', 'viewer'),
  ]);
  await requireAuditLog(ns);
  worker = createKubeCluster({ kubeconfig: await approverWorkerKubeconfig(k, [ns]) });
  await Promise.all(
    ['asme', 'denied', 'twice', 'raw', 'alerted', 'viewed'].map((n) => brokenDeployment(k, ns, n)),
  );
});
afterAll(async () => {
  await deleteNamespace(k, ns);
});

describe('the approver-mode worker itself', () => {
  it('is forbidden to patch with its own token: the API server says so', async () => {
    const live = await k.apps.readNamespacedDeployment({ name: 'raw', namespace: ns });
    const err = await worker
      .patchWorkload(
        target('raw'),
        [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' }],
        { uid: live.metadata!.uid!, generation: live.metadata!.generation!, dryRun: false },
      )
      .catch((e: unknown) => e);
    expect(isCodedError(err) && err.code).toBe('FORBIDDEN');
    expect(String((err as Error).message)).toContain(
      `User "${WORKER_USER}" cannot patch resource "deployments" in API group "apps" in the namespace "${ns}"`,
    );
    expect(await generationOf('raw')).toBe(live.metadata!.generation);
  });
});

describe('apply and roll back as the approver', () => {
  it('the PATCH names the approver and the proposal in the audit log; the rollback likewise', async () => {
    const { deps, notes, decisionDeps } = approverDeps();
    const record = await proposed(deps, 'asme');
    // The proposal's server dry-run ran as the requester, not as the worker.
    const dry = await waitFor(async () => workloadPatches(ns, 'asme', { dryRun: true })[0], {
      what: 'the dry-run audit event',
      timeoutMs: 20_000,
    });
    expect(dry.user.username).toBe(WORKER_USER);
    expect(dry.impersonatedUser).toMatchObject({
      username: PEOPLE.sam.user,
      extra: { [EXTRA_KEYS.step]: ['dry-run'], [EXTRA_KEYS.slackUser]: [PEOPLE.sam.slack] },
    });

    const res = await decide(decisionDeps, record.id, 'approve', PEOPLE.priya.slack);
    expect(res).toMatchObject({
      kind: 'decided',
      by: {
        identity: { user: PEOPLE.priya.user, groups: ['sre'] },
        review: { allowed: true, reason: expect.stringContaining(`${PEOPLE.priya.user} may patch`) },
      },
    });
    expect(await applyApproved(deps, record.id, PEOPLE.priya.slack, retry)).toBe('fixed');
    expect(await imageOf(k, ns, 'asme')).toBe('nginx:1.27');
    const patch = await auditedPatch('asme', 'apply');
    expect(patch.user.username).toBe(WORKER_USER);
    expect(patch.responseStatus?.code).toBe(200);
    expect(patch.impersonatedUser).toEqual({
      username: PEOPLE.priya.user,
      groups: ['sre', 'system:authenticated'],
      extra: {
        [EXTRA_KEYS.slackUser]: [PEOPLE.priya.slack],
        [EXTRA_KEYS.proposal]: [record.id],
        [EXTRA_KEYS.step]: ['apply'],
      },
    });
    expect(notes.outcomes[0]).toMatchObject({ kind: 'applied', as: { user: PEOPLE.priya.user } });

    // Rollback, requested by ana: checked again by the cluster, and sent as her.
    await waitAvailable(k, ns, 'asme');
    expect((await decide(decisionDeps, record.id, 'rollback', PEOPLE.ana.slack)).kind).toBe('decided');
    const brief = { ...deps, config: { ...deps.config, rolloutTimeoutSeconds: 5 } };
    expect(await rollbackApplied(brief, record.id, PEOPLE.ana.slack, retry)).toBe('rolled_back');
    expect(await imageOf(k, ns, 'asme')).toBe('nginx:1.99');
    const undo = await auditedPatch('asme', 'rollback');
    expect(undo.impersonatedUser).toMatchObject({
      username: PEOPLE.ana.user,
      extra: { [EXTRA_KEYS.proposal]: [record.id], [EXTRA_KEYS.slackUser]: [PEOPLE.ana.slack] },
    });
    expect(notes.outcomes[1]).toMatchObject({ kind: 'rolled_back', as: { user: PEOPLE.ana.user } });
  });
});

describe('a requester with no Kubernetes identity (an alert)', () => {
  it("is proposed without a dry-run (nobody may run it); the approver's apply dry-runs and is judged first", async () => {
    const { deps, decisionDeps } = approverDeps();
    const record = await proposed(deps, 'alerted', 'alertmanager');
    expect(record.proposal.validation.dryRun).toMatchObject({ ok: true, deferred: true });
    expect(record.proposal.validation.dryRun.message).toMatch(/no Kubernetes identity to run it as/);
    expect((await decide(decisionDeps, record.id, 'approve', PEOPLE.priya.slack)).kind).toBe('decided');
    expect(await applyApproved(deps, record.id, PEOPLE.priya.slack, retry)).toBe('fixed');
    const patch = await auditedPatch('alerted', 'apply');
    expect(patch.impersonatedUser?.username).toBe(PEOPLE.priya.user);
    // No dry-run at the proposal; the one before the patch was sent as the approver, in the apply step.
    const dry = workloadPatches(ns, 'alerted', { dryRun: true });
    expect(dry.map((e) => e.impersonatedUser?.username)).toEqual([PEOPLE.priya.user]);
    expect(dry[0]!.impersonatedUser?.extra?.[EXTRA_KEYS.step]).toEqual(['apply']);
    expect(workloadPatches(ns, 'alerted')).toHaveLength(1);
  });
});

describe('a requester the cluster does not let patch the workload', () => {
  it("still gets a proposal, its dry-run deferred with the cluster's words; an approver who may decides and applies", async () => {
    const { deps, decisionDeps } = approverDeps();
    const record = await proposed(deps, 'viewed', PEOPLE.lee.slack);
    expect(record.proposal.validation.dryRun).toMatchObject({ ok: true, deferred: true });
    expect(record.proposal.validation.dryRun.message).toContain(
      `the cluster says ${PEOPLE.lee.user} may not patch deployments.apps viewed in ${ns}`,
    );
    // Lee may not decide it either; priya, who may patch, approves and the change is made as her.
    expect((await decide(decisionDeps, record.id, 'approve', PEOPLE.lee.slack)).kind).toBe('refused');
    expect((await decide(decisionDeps, record.id, 'approve', PEOPLE.priya.slack)).kind).toBe('decided');
    expect(await applyApproved(deps, record.id, PEOPLE.priya.slack, retry)).toBe('fixed');
    expect((await auditedPatch('viewed', 'apply')).impersonatedUser?.username).toBe(PEOPLE.priya.user);
    // No dry-run was sent as lee (it would only have been forbidden): the only one ran as priya, at apply.
    const dry = workloadPatches(ns, 'viewed', { dryRun: true });
    expect(dry.map((e) => e.impersonatedUser?.username)).toEqual([PEOPLE.priya.user]);
  });
});

describe('RBAC decides who approves', () => {
  it('a Role without patch is refused at the click; a binding removed after the click is refused at apply', async () => {
    const { deps, notes, decisionDeps } = approverDeps();
    const record = await proposed(deps, 'denied');
    const before = await generationOf('denied');

    const lee = await decide(decisionDeps, record.id, 'approve', PEOPLE.lee.slack);
    expect(lee).toMatchObject({ kind: 'refused' });
    expect(lee.kind === 'refused' && lee.reason).toContain(
      `The cluster says ${PEOPLE.lee.user} may not patch deployments.apps denied in ${ns}`,
    );
    expect((await deps.store.get(record.id))!.state).toBe('proposed');

    // Priya may patch at the click; then her binding becomes the viewer role before the worker applies.
    expect((await decide(decisionDeps, record.id, 'approve', PEOPLE.priya.slack)).kind).toBe('decided');
    await bind(k, ns, 'priya', 'viewer');
    try {
      await waitFor(
        async () =>
          !(
            await worker.reviewAccess(identityOf(PEOPLE.priya.slack)!, {
              verb: 'patch',
              group: 'apps',
              resource: 'deployments',
              namespace: ns,
            })
          ).allowed,
        { what: 'the RBAC change to reach the authorizer', timeoutMs: 20_000 },
      );
      expect(await applyApproved(deps, record.id, PEOPLE.priya.slack, retry)).toBe('refused');
    } finally {
      await bind(k, ns, 'priya', 'editor');
    }
    expect(notes.refusals[0]).toContain(
      `${PEOPLE.priya.user} may not patch deployments.apps denied in ${ns}`,
    );
    expect((await deps.store.get(record.id))!.state).toBe('apply_failed');
    expect(await generationOf('denied')).toBe(before);
    expect(await imageOf(k, ns, 'denied')).toBe('nginx:1.99');
    expect(workloadPatches(ns, 'denied')).toEqual([]);
  });

  it('an unmapped Slack user is refused with how to get mapped; nothing moves', async () => {
    const { deps, decisionDeps } = approverDeps();
    const record = await proposed(deps, 'denied');
    const res = await decide(decisionDeps, record.id, 'approve', NOBODY);
    expect(res.kind === 'refused' && res.reason).toMatch(
      new RegExp(`<@${NOBODY}> has no Kubernetes identity.*AUTOFIX_IDENTITIES`),
    );
    expect((await deps.store.get(record.id))!.state).toBe('proposed');
  });
});

describe('two people', () => {
  it('one click does not apply, the same person twice does not count, two approvers apply once', async () => {
    const { deps, notes, decisionDeps } = approverDeps(approverMode({ twoPerson: 'all' }));
    const record = await proposed(deps, 'twice');
    const before = await generationOf('twice');

    const first = await decide(decisionDeps, record.id, 'approve', PEOPLE.priya.slack);
    expect(first).toMatchObject({ kind: 'pending', needed: 2, record: { state: 'proposed' } });
    expect(await applyApproved(deps, record.id, PEOPLE.priya.slack, retry)).toBe('state_proposed');
    const again = await decide(decisionDeps, record.id, 'approve', PEOPLE.priya.slack);
    expect(again.kind === 'refused' && again.reason).toMatch(/already approved/);
    // The requester does not count either (AUTOFIX_SELF_APPROVAL=false).
    const own = await decide(decisionDeps, record.id, 'approve', PEOPLE.sam.slack);
    expect(own.kind === 'refused' && own.reason).toMatch(/AUTOFIX_SELF_APPROVAL=false/);
    expect(await generationOf('twice')).toBe(before);
    expect(workloadPatches(ns, 'twice')).toEqual([]);

    const second = await decide(decisionDeps, record.id, 'approve', PEOPLE.ana.slack);
    expect(second).toMatchObject({
      kind: 'decided',
      record: { state: 'approved', decidedBy: PEOPLE.ana.slack },
    });
    const [a, b] = await Promise.all([
      applyApproved(deps, record.id, PEOPLE.ana.slack, retry),
      applyApproved(deps, record.id, PEOPLE.ana.slack, retry),
    ]);
    expect([a, b].sort()).toEqual(['fixed', 'taken']);
    const patch = await auditedPatch('twice', 'apply');
    expect(patch.impersonatedUser).toMatchObject({
      username: PEOPLE.ana.user,
      extra: { [EXTRA_KEYS.firstApprover]: [PEOPLE.priya.user], [EXTRA_KEYS.proposal]: [record.id] },
    });
    expect(workloadPatches(ns, 'twice')).toHaveLength(1);
    expect(notes.outcomes[0]).toMatchObject({
      kind: 'applied',
      approvals: [{ by: PEOPLE.priya.slack }, { by: PEOPLE.ana.slack }],
    });
  });
});
