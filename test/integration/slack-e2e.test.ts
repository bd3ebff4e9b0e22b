// End to end on the sandbox: /autofix → threaded updates → proposal → approve → healthy → rollback, and the refusals.
import { describe, expect, it } from 'vitest';
import { waitAvailable, type Kube } from './support/kube.js';
import { getRun, kv } from './support/mlflow-rest.js';
import { runCli } from './support/run-cli.js';
import { askForFix, imageOf, runTags, useSlackScene } from './support/slack-flow.js';
import {
  APPROVER,
  CHANNEL,
  GROUP_MEMBER,
  OUTSIDER,
  buttonsOf,
  click,
  feedbackButtons,
  parentMessages,
  slash,
  textOf,
  type Harness,
} from './support/slack-harness.js';
import { waitFor } from './support/wait-for.js';
import { keySpace } from '../../src/queue/key-space.js';

let k: Kube;
let ns: string;
let h: Harness;

// Rolling back to the broken release never becomes healthy: a short rollout timeout keeps that step quick.
useSlackScene(
  'slack',
  {
    broken: ['web', 'stale', 'race', 'twin'],
    harness: () => ({ env: { AUTOFIX_ROLLOUT_TIMEOUT: '20s' }, worker: true }),
  },
  (s) => ({ k, ns, h } = s),
);

const where = (m: { ts: string; threadTs: string | null }) => ({
  channel: CHANNEL,
  messageTs: m.ts,
  threadTs: m.threadTs ?? undefined,
});

describe('/autofix → approve → healthy → rollback', () => {
  it('walks the whole flow in one thread, tagging every decision on the MLflow run', async () => {
    const t0 = performance.now();
    // Slack rate-limits the first post (429, Retry-After: 1): the parent message is still delivered.
    h.slack.failNext('chat.postMessage', { rateLimited: true, retryAfter: 1 });
    const asked = await askForFix(h, ns, 'web');
    expect(h.slack.calls('chat.postMessage')[0]).toMatchObject({ status: 429 });
    const toProposal = performance.now() - t0;
    expect(asked.ackMs).toBeLessThan(3000);

    // Threaded updates: one progress message, edited as the agent went, not a flood of replies.
    const thread = h.slack.messagesIn(CHANNEL, asked.parent.ts);
    const progress = thread[0]!;
    expect(textOf(progress)).toMatch(/Iteration 1 of 3/);
    expect(progress.versions.length).toBeGreaterThan(1);
    const steps = progress.versions.map((v) => JSON.stringify(v.blocks)).join('\n');
    expect(steps).toMatch(/collected: reading deployment\/web/);
    expect(steps).toMatch(/diagnosis|analyzers/);
    expect(thread.length).toBeLessThanOrEqual(3);

    // The proposal: diagnosis, confidence in words, diff, validation, both buttons, the MLflow link.
    const proposal = textOf(asked.proposal);
    const runId = (await h.store.get(asked.proposalId))!.runId;
    expect(runId).toBeTruthy();
    expect(buttonsOf(asked.proposal)).toEqual({
      autofix_approve: asked.proposalId,
      autofix_reject: asked.proposalId,
      ...feedbackButtons(runId),
    });
    expect(proposal).toMatch(/image_pull/);
    expect(proposal).toMatch(/confidence 0\.\d\d — (high|medium|low)/);
    expect(proposal).toContain('nginx:1.27');
    expect(proposal).toMatch(/server dry-run/);
    expect(proposal).toMatch(/<http:\/\/127\.0\.0\.1:\d+\/#\/experiments\/\d+\/runs\/[0-9a-f]+\|MLflow run>/);

    // Approve: the proposal message loses its buttons and says who approved; the thread gets the rollout result.
    const approved = await click(h, 'autofix_approve', asked.proposalId, APPROVER, where(asked.proposal));
    expect(approved.reply.status).toBe(200);
    expect(approved.reply.ms).toBeLessThan(3000);
    const result = await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, asked.parent.ts).find((m) => m.text.includes('Applied fix')),
      120_000,
      'the apply result',
    );
    const decided = h.slack.message(CHANNEL, asked.proposal.ts)!;
    // The decision removes Approve/Reject; feedback stays.
    expect(buttonsOf(decided)).toEqual(feedbackButtons(runId));
    expect(textOf(decided)).toMatch(/Approved\* by <@U0APPROVER>/);
    expect(textOf(result)).toMatch(/rollout healthy/);
    expect(buttonsOf(result)).toEqual({ autofix_rollback: asked.proposalId, ...feedbackButtons(runId) });
    expect(await imageOf(k, ns, 'web')).toBe('nginx:1.27');
    await waitAvailable(k, ns, 'web');

    const record = (await h.store.get(asked.proposalId))!;
    expect(record.state).toBe('applied');
    expect(record.runId).toBeTruthy();
    const tags = await runTags(h.env.MLFLOW_TRACKING_URI!, record.runId!);
    expect(tags).toMatchObject({
      'autofix.decision': 'approved',
      'autofix.approved_by': APPROVER,
      'autofix.outcome': 'fixed',
    });
    // The CLI's `fix` on the same case records the same params, metrics and tags as the Slack worker;
    // only the Slack request context (requester, channel) is extra.
    const worker = await getRun(record.runId!);
    const cli = await runCli(
      'fix',
      'deployment/twin',
      { namespace: ns, yes: true },
      {
        AUTOFIX_NAMESPACES: ns,
        MLFLOW_TRACKING_URI: h.env.MLFLOW_TRACKING_URI!,
        MLFLOW_EXPERIMENT_NAME: 'kube-autofix-slack-tests',
      },
    );
    expect(cli.json.outcome).toBe('fixed');
    const twin = await getRun(cli.json.tracking!.runId);
    const keys = (items: Array<{ key: string }> = []) => items.map((i) => i.key).sort();
    expect(keys(worker.data.metrics)).toEqual(keys(twin.data.metrics));
    expect(keys(worker.data.metrics)).toEqual(expect.arrayContaining(['success', 'time_to_healthy_seconds']));
    const params = (r: typeof worker) => ({ ...kv(r.data.params), target_name: '' });
    expect(params(worker)).toEqual(params(twin));
    const autofixTagKeys = (r: typeof worker) => keys(r.data.tags).filter((k) => k.startsWith('autofix.'));
    expect(autofixTagKeys(worker)).toEqual(
      [
        ...autofixTagKeys(twin),
        'autofix.channel',
        'autofix.job_id',
        'autofix.requested_by',
        'autofix.thread_url',
      ].sort(),
    );
    const sameValues = ['autofix.decision', 'autofix.outcome', 'autofix.category', 'autofix.engine'];
    for (const key of sameValues) expect(kv(worker.data.tags)[key]).toBe(kv(twin.data.tags)[key]);

    // Rollback (by a member of an approver user group) restores the template from before the change.
    const rb = await click(h, 'autofix_rollback', asked.proposalId, GROUP_MEMBER, where(result));
    expect(rb.reply.status).toBe(200);
    const rolledBack = await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, asked.parent.ts).find((m) => m.text.includes('Rolled back')),
      120_000,
      'the rollback result',
    );
    expect(textOf(rolledBack)).toContain('<@U0GROUPIE>');
    // The previous template is the broken release, so its rollout is reported as not healthy.
    expect(textOf(rolledBack)).toMatch(/rollout NOT healthy/);
    expect(await imageOf(k, ns, 'web')).toBe('nginx:1.99');
    expect((await h.store.get(asked.proposalId))!.state).toBe('rolled_back');
    expect((await runTags(h.env.MLFLOW_TRACKING_URI!, record.runId!))['autofix.rolled_back_by']).toBe(
      GROUP_MEMBER,
    );
    console.info(
      `[timing] /autofix → proposal ${(toProposal / 1000).toFixed(1)} s; whole flow ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  });
});

describe('approval safety', () => {
  it('a non-approver click is refused ephemerally and changes nothing; a double approve applies exactly once', async () => {
    const asked = await askForFix(h, ns, 'race');
    const generation = (await k.apps.readNamespacedDeployment({ name: 'race', namespace: ns })).metadata
      ?.generation;

    const outsider = await click(h, 'autofix_approve', asked.proposalId, OUTSIDER, where(asked.proposal));
    expect(outsider.reply.status).toBe(200);
    const refusal = await h.slack.waitForResponse((r) => r.id === outsider.responseId, 5000);
    expect(refusal.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(refusal.body)).toMatch(/Only approvers/);
    expect((await h.store.get(asked.proposalId))!.state).toBe('proposed');
    expect(buttonsOf(h.slack.message(CHANNEL, asked.proposal.ts))).toHaveProperty('autofix_approve');

    // Two approvers click at once, and one of them twice (a double click / a Slack retry).
    const clicks = await Promise.all([
      click(h, 'autofix_approve', asked.proposalId, APPROVER, where(asked.proposal)),
      click(h, 'autofix_approve', asked.proposalId, GROUP_MEMBER, where(asked.proposal)),
      click(h, 'autofix_approve', asked.proposalId, APPROVER, where(asked.proposal)),
    ]);
    expect(clicks.map((c) => c.reply.status)).toEqual([200, 200, 200]);
    await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, asked.parent.ts).find((m) => m.text.includes('Applied fix')),
      120_000,
      'the apply result',
    );
    // The two losers are told who won; the winner gets no ephemeral answer.
    const losers = await waitFor(
      async () => {
        const answered = clicks.filter((c) => h.slack.responses(c.responseId).length > 0);
        return answered.length === 2 ? answered : null;
      },
      { what: 'two "already approved" answers', timeoutMs: 10_000 },
    );
    for (const l of losers)
      expect(JSON.stringify(h.slack.responses(l.responseId)[0]!.body)).toMatch(/already approved/);
    const results = h.slack
      .messagesIn(CHANNEL, asked.parent.ts)
      .filter((m) => m.text.includes('Applied fix'));
    expect(results).toHaveLength(1);
    const live = await k.apps.readNamespacedDeployment({ name: 'race', namespace: ns });
    expect(live.metadata?.generation).toBe((generation ?? 0) + 1);
    const applies = (await h.queue.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed'])).filter(
      (j) => j.name === 'apply' && j.data.proposalId === asked.proposalId,
    );
    expect(applies).toHaveLength(1);
  });

  it('refuses a stale proposal (the target changed since) with the reason and the command to re-run', async () => {
    const asked = await askForFix(h, ns, 'stale');
    // Someone edits the deployment between the proposal and the approval.
    await k.apps.patchNamespacedDeployment(
      {
        name: 'stale',
        namespace: ns,
        body: [{ op: 'add', path: '/spec/template/metadata/annotations', value: { edited: 'by-hand' } }],
      },
      { headers: { 'Content-Type': 'application/json-patch+json' } } as never,
    );
    await click(h, 'autofix_approve', asked.proposalId, APPROVER, where(asked.proposal));
    const refusal = await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, asked.parent.ts).find((m) => m.text.includes('Not applied')),
      60_000,
      'the stale refusal',
    );
    expect(textOf(refusal)).toMatch(/changed since the proposal/);
    expect(textOf(refusal)).toContain(`/autofix deployment/stale -n ${ns}`);
    expect(await imageOf(k, ns, 'stale')).toBe('nginx:1.99');
    expect((await h.store.get(asked.proposalId))!.state).toBe('stale');
  });

  it('a target that does not exist fails once (no retries) and the thread says why', async () => {
    const reply = await slash(h, `deployment/ghost -n ${ns}`);
    expect(reply.status).toBe(200);
    const parent = await h.slack.waitFor(
      () => parentMessages(h).find((m) => m.text.includes('deployment/ghost')),
      10_000,
      'the parent',
    );
    const failed = await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, parent.ts).find((m) => m.text.includes('Investigation failed')),
      30_000,
      'the failure message',
    );
    expect(textOf(failed)).toMatch(/not found|does not exist|no longer exists/i);
    const job = await waitFor(
      async () => (await h.queue.getJobs(['failed'])).find((j) => j.data.target?.name === 'ghost'),
      {
        what: 'the failed job',
        timeoutMs: 10_000,
        intervalMs: 100,
      },
    );
    expect(job?.attemptsMade).toBe(1);
    // The target is free again: a new /autofix starts a new investigation instead of pointing at this one.
    const claim = keySpace(h.prefix).cluster(h.cluster).activeInvestigation(`deployment/${ns}/ghost`);
    expect(await h.redis.exists(claim)).toBe(0);
  });
});
