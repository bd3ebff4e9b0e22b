// The one decision in AUTOFIX_APPLY_AS=approver: the bot hands on, the worker asks the cluster, two people count once each.
import { describe, expect, it } from 'vitest';
import { AutofixError, ErrorCode, type KubeIdentity } from '../../../src/domain/index.js';
import { decide, stepAfter, type DecisionDeps } from '../../../src/workflow/decide.js';
import { oneClusterPolicy, type AccessReviewer } from '../../../src/workflow/decision-checks.js';
import { createMemoryProposalStore } from '../../../src/workflow/memory-proposal-store.js';
import { sampleRecord } from '../../fixtures/proposal-record.js';

const PEOPLE: Record<string, KubeIdentity> = {
  UPRIYA: { user: 'priya@example.com', groups: ['sre'] },
  UANA: { user: 'ana@example.com', groups: ['sre'] },
  ULEE: { user: 'lee@example.com', groups: [] },
  U1: { user: 'req@example.com', groups: [] },
};

/** The cluster's answer: everyone but lee may patch. */
const cluster: AccessReviewer = {
  reviewAccess: async (s, a) => ({
    allowed: s.user !== 'lee@example.com',
    reason: `${s.user} ${s.user === 'lee@example.com' ? 'may not' : 'may'} ${a.verb} ${a.resource}.${a.group} ${a.name} in ${a.namespace}`,
  }),
};

async function deps(
  over: Partial<DecisionDeps['decisions']> = {},
  flags: string[] = [],
  reviewer: AccessReviewer | null = cluster,
) {
  const store = createMemoryProposalStore();
  const base = sampleRecord({ runId: 'run-1', expiresAt: 10_000 });
  await store.save(
    { ...base, proposal: { ...base.proposal, validation: { ...base.proposal.validation, flags } } },
    1000,
  );
  const tags: Record<string, string>[] = [];
  const d: DecisionDeps = {
    store,
    tracker: { recordDecision: async (_r, t) => void tags.push(t) },
    authority: { isApprover: async () => true, identityOf: async (u) => PEOPLE[u] ?? null },
    decisions: {
      ...oneClusterPolicy('default', ['shop'], false),
      applyAs: 'approver',
      twoPerson: 'flagged',
      ...over,
    },
    clock: { now: () => 1500 },
    ...(reviewer ? { reviewer } : {}),
  };
  return { d, tags, store };
}

describe('decide, approver mode', () => {
  it('without a reviewer (the bot): checks what it can, moves nothing, hands on', async () => {
    const { d, store, tags } = await deps({}, [], null);
    expect(await decide(d, 'p1', 'approve', 'UPRIYA')).toMatchObject({ kind: 'needs_review' });
    // An unmapped user is refused already in the bot, privately, with how to get mapped.
    const nobody = await decide(d, 'p1', 'approve', 'UNOBODY');
    expect(nobody.kind === 'refused' && nobody.reason).toMatch(
      /<@UNOBODY> has no Kubernetes identity.*AUTOFIX_IDENTITIES/,
    );
    expect((await store.get('p1'))!.state).toBe('proposed');
    expect(tags).toEqual([]);
  });

  it('with the cluster: an allowed approver is recorded with identity and review, a denied one refused', async () => {
    const { d, store, tags } = await deps();
    const lee = await decide(d, 'p1', 'approve', 'ULEE');
    expect(lee.kind === 'refused' && lee.reason).toContain(
      'The cluster says lee@example.com may not patch deployments.apps web in shop',
    );
    const res = await decide(d, 'p1', 'approve', 'UPRIYA');
    expect(res).toMatchObject({ kind: 'decided', record: { state: 'approved', decidedBy: 'UPRIYA' } });
    expect(stepAfter(res, 'approve')).toBe('apply');
    expect((await store.get('p1'))!.approvals).toEqual([
      {
        by: 'UPRIYA',
        at: 1500,
        identity: PEOPLE.UPRIYA,
        review: 'priya@example.com may patch deployments.apps web in shop',
      },
    ]);
    expect(tags[0]).toMatchObject({
      'autofix.approved_by': 'UPRIYA',
      'autofix.approved_as': 'priya@example.com (groups: sre)',
      'autofix.approvals': 'UPRIYA as priya@example.com (groups: sre)',
    });
  });

  it('a flagged change needs two: pending, the same person again refused, the requester refused, then approved', async () => {
    const { d, store, tags } = await deps({}, ['command: sh -c "run"']);
    const first = await decide(d, 'p1', 'approve', 'UPRIYA');
    expect(first).toMatchObject({ kind: 'pending', needed: 2 });
    expect(stepAfter(first, 'approve')).toBeNull();
    const twice = await decide(d, 'p1', 'approve', 'UPRIYA');
    expect(twice.kind === 'refused' && twice.reason).toMatch(/already approved/);
    const own = await decide(d, 'p1', 'approve', 'U1');
    expect(own.kind === 'refused' && own.reason).toMatch(/AUTOFIX_SELF_APPROVAL=false/);
    expect((await store.get('p1'))!.state).toBe('proposed');
    const second = await decide(d, 'p1', 'approve', 'UANA');
    expect(second).toMatchObject({ kind: 'decided', record: { state: 'approved', decidedBy: 'UANA' } });
    expect((await store.get('p1'))!.approvals.map((a) => a.by)).toEqual(['UPRIYA', 'UANA']);
    expect(tags.at(-1)).toMatchObject({ 'autofix.approvals_needed': '2' });
    expect(tags.at(-1)!['autofix.approvals']).toMatch(/^UPRIYA as priya.*; UANA as ana/);
  });

  it('an unflagged change needs one when flagged; every change needs two with all; off never', async () => {
    expect((await decide((await deps()).d, 'p1', 'approve', 'UPRIYA')).kind).toBe('decided');
    expect((await decide((await deps({ twoPerson: 'all' })).d, 'p1', 'approve', 'UPRIYA')).kind).toBe(
      'pending',
    );
    const off = (await deps({ twoPerson: 'off' }, ['command: x'])).d;
    expect((await decide(off, 'p1', 'approve', 'UPRIYA')).kind).toBe('decided');
  });

  it('a cluster that does not answer the review is retried, not read as a refusal', async () => {
    const down: AccessReviewer = {
      reviewAccess: async () => {
        throw new AutofixError(ErrorCode.ClusterUnreachable, 'Cannot reach the Kubernetes API.');
      },
    };
    const { d, store } = await deps({}, [], down);
    await expect(decide(d, 'p1', 'approve', 'UPRIYA')).rejects.toMatchObject({ code: 'CLUSTER_UNREACHABLE' });
    expect((await store.get('p1'))!.state).toBe('proposed');
  });

  it('reject and rollback are reviewed too: a viewer may not reject', async () => {
    const { d } = await deps();
    const res = await decide(d, 'p1', 'reject', 'ULEE');
    expect(res.kind === 'refused' && res.reason).toMatch(/may not patch/);
    expect((await decide(d, 'p1', 'reject', 'UANA')).kind).toBe('decided');
  });
});
