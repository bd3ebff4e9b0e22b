// The buttons' handler: the Slack allowlist, then the workflow's one decision; the bot's own I/O around it
// (ephemeral answers, the edited message, the job) — and nothing moves when a check refuses.
import { describe, expect, it } from 'vitest';
import { handleAutofixAction, type ActionDeps } from '../../../src/bot/action-handlers.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import type { SlackMessage, SlackPoster } from '../../../src/slack/slack-poster.js';
import { createMemoryProposalStore } from '../../../src/workflow/memory-proposal-store.js';
import type { ProposalState } from '../../../src/workflow/proposal-record.js';
import { sampleRecord } from '../../fixtures/proposal-record.js';
import { fixedDirectory, seen as seenWorker } from '../../fixtures/registrations.js';

const APPROVER = 'UAPPROVER';
const NOW = 1500;

interface Seen {
  answers: string[];
  updates: SlackMessage[];
  applies: unknown[];
  rollbacks: unknown[];
  decisions: unknown[];
  tags: Record<string, string>[];
}

async function setup(state: ProposalState = 'proposed', over: Partial<ActionDeps> = {}, cluster = 'default') {
  const store = createMemoryProposalStore();
  await store.save(sampleRecord({ cluster }), 1000);
  await store.attachMessage('p1', '2.000002');
  if (state !== 'proposed') {
    const path: Record<string, ProposalState[]> = {
      approved: ['approved'],
      applied: ['approved', 'applying', 'applied'],
      rejected: ['rejected'],
    };
    for (const to of path[state]!) {
      const from = (await store.get('p1'))!.state;
      await store.transition('p1', { from: [from], to });
    }
  }
  const seen: Seen = { answers: [], updates: [], applies: [], rollbacks: [], decisions: [], tags: [] };
  const poster = {
    update: async (_c: string, _ts: string, m: SlackMessage) => void seen.updates.push(m),
  } as unknown as SlackPoster;
  const deps: ActionDeps = {
    store,
    tracker: { recordDecision: async (_run, tags) => void seen.tags.push(tags) },
    authority: { isApprover: async (u) => u === APPROVER || u === 'U1' },
    directory: fixedDirectory([seenWorker('default', 1000)]),
    selfApproval: true,
    applyAs: 'worker',
    twoPerson: 'off',
    clock: { now: () => NOW },
    producer: {
      addApply: async (job) => {
        seen.applies.push(job);
        return 'apply-1';
      },
      addRollback: async (job) => {
        seen.rollbacks.push(job);
        return 'rollback-1';
      },
      addDecision: async (job) => {
        seen.decisions.push(job);
        return 'decide-1';
      },
    },
    poster,
    metrics: createMetrics({ defaults: false }),
    logger: createLogger('silent'),
    ...over,
  };
  return { deps, store, seen };
}

function click(actionId: string, user: string, channel = 'C1') {
  return {
    type: 'block_actions',
    user: { id: user },
    team: { id: 'T1' },
    trigger_id: 't1',
    response_url: 'https://hooks.slack.test/r/1',
    container: { type: 'message', message_ts: '2.000002', channel_id: channel },
    channel: { id: channel },
    message: { ts: '2.000002', thread_ts: '1.000001' },
    actions: [{ action_id: actionId, value: 'p1', type: 'button', block_id: 'b', action_ts: '3' }],
  };
}

async function press(deps: ActionDeps, seen: Seen, body: unknown): Promise<void> {
  await handleAutofixAction(deps)({
    ack: async () => undefined,
    body,
    respond: async (m: { text?: string }) => void seen.answers.push(m.text ?? ''),
  } as never);
}

describe('handleAutofixAction', () => {
  it('Approve by an approver: approved once, the message loses its buttons, one apply job, tagged', async () => {
    const { deps, store, seen } = await setup();
    await press(deps, seen, click('autofix_approve', APPROVER));
    expect((await store.get('p1'))!.state).toBe('approved');
    expect((await store.get('p1'))!.decidedBy).toBe(APPROVER);
    expect(seen.applies).toEqual([{ cluster: 'default', proposalId: 'p1', approvedBy: APPROVER }]);
    expect(seen.updates).toHaveLength(1);
    expect(JSON.stringify(seen.updates[0])).not.toContain('autofix_approve');
    expect(seen.tags).toEqual([
      {
        'autofix.decision': 'approved',
        'autofix.approved_by': APPROVER,
        // The verdict and the change approved, for eval --replay.
        'autofix.label.1.verdict': 'approved',
        'autofix.label.1.approved_change': expect.stringContaining('"op":"replace"'),
      },
    ]);
  });

  it('a second Approve after the first is refused with who got there first; the lost apply job is re-sent', async () => {
    const { deps, seen } = await setup('approved');
    await press(deps, seen, click('autofix_approve', APPROVER));
    expect(seen.answers[0]).toMatch(/already approved/);
    // A bot crash between the move and the enqueue would lose the job: it is re-sent (the job is idempotent).
    expect(seen.applies).toHaveLength(1);
    expect(seen.tags).toEqual([]);
  });

  it('a non-approver: refused privately before the store is read; nothing moves', async () => {
    const { deps, store, seen } = await setup();
    await press(deps, seen, click('autofix_approve', 'UOUTSIDER'));
    expect(seen.answers[0]).toMatch(/Only approvers/);
    expect((await store.get('p1'))!.state).toBe('proposed');
    expect(seen.applies).toEqual([]);
  });

  it('a click from another channel: refused, nothing moves', async () => {
    const { deps, store, seen } = await setup();
    await press(deps, seen, click('autofix_approve', APPROVER, 'COTHER'));
    expect(seen.answers[0]).toMatch(/another channel or workspace/);
    expect((await store.get('p1'))!.state).toBe('proposed');
  });

  it('self-approval off: the requester is refused by the workflow check', async () => {
    const { deps, store, seen } = await setup('proposed', { selfApproval: false });
    await press(deps, seen, click('autofix_approve', 'U1'));
    expect(seen.answers[0]).toMatch(/cannot also approve its fix/);
    expect((await store.get('p1'))!.state).toBe('proposed');
    expect(seen.applies).toEqual([]);
  });

  it('past its TTL: expired on the click, the message says so, the run is tagged expired', async () => {
    const { deps, store, seen } = await setup('proposed', { clock: { now: () => 5000 } });
    await press(deps, seen, click('autofix_approve', APPROVER));
    expect((await store.get('p1'))!.state).toBe('expired');
    expect(seen.answers[0]).toMatch(/expired/);
    expect(seen.tags).toEqual([{ 'autofix.decision': 'expired', 'autofix.label.1.verdict': 'expired' }]);
    expect(seen.applies).toEqual([]);
  });

  it('Rollback of an applied change: rolling back, one rollback job; of a proposed one: nothing to roll back', async () => {
    const applied = await setup('applied');
    await press(applied.deps, applied.seen, click('autofix_rollback', APPROVER));
    expect((await applied.store.get('p1'))!.state).toBe('rolling_back');
    expect(applied.seen.rollbacks).toEqual([{ cluster: 'default', proposalId: 'p1', requestedBy: APPROVER }]);
    const proposed = await setup();
    await press(proposed.deps, proposed.seen, click('autofix_rollback', APPROVER));
    expect(proposed.seen.answers[0]).toMatch(/nothing to roll back/);
    expect(proposed.seen.rollbacks).toEqual([]);
  });

  it('approvals and rollbacks go home: the job goes to the queue of the proposal’s cluster', async () => {
    const workers = fixedDirectory([seenWorker('default', 1000), seenWorker('prod-eu', 2000)]);
    const eu = await setup('proposed', { directory: workers }, 'prod-eu');
    await press(eu.deps, eu.seen, click('autofix_approve', APPROVER));
    expect(eu.seen.applies).toEqual([{ cluster: 'prod-eu', proposalId: 'p1', approvedBy: APPROVER }]);
    const applied = await setup('applied', { directory: workers }, 'prod-eu');
    await press(applied.deps, applied.seen, click('autofix_rollback', APPROVER));
    expect(applied.seen.rollbacks).toEqual([{ cluster: 'prod-eu', proposalId: 'p1', requestedBy: APPROVER }]);
  });

  it('a click for a cluster whose worker is gone says so and keeps the proposal; Reject still works', async () => {
    // prod-eu's only worker stopped renewing 12 minutes ago; default's is live.
    const workers = fixedDirectory([seenWorker('default', 1000), seenWorker('prod-eu', 12 * 60_000)]);
    const { deps, store, seen } = await setup('proposed', { directory: workers }, 'prod-eu');
    await press(deps, seen, click('autofix_approve', APPROVER));
    expect(seen.answers[0]).toMatch(
      /No worker serves cluster prod-eu right now \(its worker was last seen 12 min ago\)/,
    );
    expect(seen.answers[0]).toMatch(/proposal is kept/);
    expect((await store.get('p1'))!.state).toBe('proposed');
    expect(seen.applies).toEqual([]);
    expect(seen.updates).toEqual([]);
    // Rejecting touches no cluster: it needs no worker.
    await press(deps, seen, click('autofix_reject', APPROVER));
    expect((await store.get('p1'))!.state).toBe('rejected');
    const applied = await setup('applied', { directory: workers }, 'prod-eu');
    await press(applied.deps, applied.seen, click('autofix_rollback', APPROVER));
    expect(applied.seen.answers[0]).toMatch(/this rollback can only run there/);
    expect((await applied.store.get('p1'))!.state).toBe('applied');
    expect(applied.seen.rollbacks).toEqual([]);
  });

  it('the allowlist a click is checked against is the one the proposal’s cluster advertises', async () => {
    const workers = fixedDirectory([seenWorker('prod-eu', 1000, { namespaces: ['payments'] })]);
    const { deps, store, seen } = await setup('proposed', { directory: workers }, 'prod-eu');
    await press(deps, seen, click('autofix_approve', APPROVER));
    expect(seen.answers[0]).toMatch(/shop/);
    expect((await store.get('p1'))!.state).toBe('proposed');
    expect(seen.applies).toEqual([]);
  });

  it('a store that fails: one clear answer, nothing enqueued', async () => {
    const { deps, seen } = await setup();
    const broken = {
      ...deps,
      store: { ...deps.store, get: async () => Promise.reject(new Error('ECONNREFUSED')) },
    };
    await press(broken, seen, click('autofix_reject', APPROVER));
    expect(seen.answers[0]).toMatch(/could not record this click/);
    expect(seen.applies).toEqual([]);
  });

  it('approver mode: the bot checks what it can and hands the click to the worker; nothing moves here', async () => {
    const approverMode = {
      applyAs: 'approver' as const,
      authority: {
        isApprover: async () => true,
        identityOf: async (u: string) =>
          u === APPROVER ? { user: 'priya@example.com', groups: ['sre'] } : null,
      },
    };
    const { deps, store, seen } = await setup('proposed', approverMode);
    await press(deps, seen, click('autofix_approve', APPROVER));
    expect(seen.decisions).toEqual([
      {
        cluster: 'default',
        proposalId: 'p1',
        decision: 'approve',
        userId: APPROVER,
        channelId: 'C1',
        teamId: 'T1',
      },
    ]);
    expect((await store.get('p1'))!.state).toBe('proposed');
    expect([seen.applies, seen.updates, seen.answers, seen.tags]).toEqual([[], [], [], []]);
    // Unmapped: refused in the bot, privately, with how to get mapped; no job.
    await press(deps, seen, click('autofix_approve', 'UNOBODY'));
    expect(seen.answers[0]).toMatch(/has no Kubernetes identity.*AUTOFIX_IDENTITIES/);
    expect(seen.decisions).toHaveLength(1);
  });
});
