// Reject, expiry (short AUTOFIX_PROPOSAL_TTL), clicks from elsewhere and out-of-order clicks: recorded, buttons
// removed, nothing applied.
import { describe, expect, it } from 'vitest';
import { deployment, waitAvailable, type Kube } from './support/kube.js';
import { askForFix, imageOf, runTags, useSlackScene } from './support/slack-flow.js';
import {
  APPROVER,
  CHANNEL,
  buttonsOf,
  feedbackButtons,
  click,
  parentMessages,
  slash,
  textOf,
  type Harness,
} from './support/slack-harness.js';
import { waitFor } from './support/wait-for.js';

let k: Kube;
let ns: string;
let h: Harness;

useSlackScene(
  'decide',
  {
    broken: ['nope', 'late', 'idle'],
    prepare: async (client, name) => {
      [k, ns] = [client, name];
      await longRelease('wide');
    },
    harness: () => ({ env: { AUTOFIX_PROPOSAL_TTL: '4s' }, worker: true }),
  },
  (s) => ({ k, ns, h } = s),
);

/** A healthy release with 300 env vars, then one that changes them all and breaks the image: its rollback diff is long. */
async function longRelease(name: string): Promise<void> {
  const env = (v: string) =>
    Array.from({ length: 300 }, (_, i) => ({ name: `SETTING_${i}`, value: `${v}-${i}` }));
  await k.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(name, { image: 'nginx:1.27', env: env('a') }),
  });
  await waitAvailable(k, ns, name);
  await k.apps.patchNamespacedDeployment({
    name,
    namespace: ns,
    body: [
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.99' },
      { op: 'replace', path: '/spec/template/spec/containers/0/env', value: env('b') },
    ],
  });
}

const where = (m: { ts: string; threadTs: string | null }) => ({
  channel: CHANNEL,
  messageTs: m.ts,
  threadTs: m.threadTs ?? undefined,
});
const answerTo = async (id: string): Promise<string> =>
  JSON.stringify((await h.slack.waitForResponse((r) => r.id === id, 5000)).body);

describe('decisions', () => {
  it('reject: recorded and tagged, buttons removed, nothing applied; later clicks are told why', async () => {
    const asked = await askForFix(h, ns, 'nope');
    // The same button replayed from another channel (or workspace) is refused before anything is decided.
    const foreign = await click(h, 'autofix_approve', asked.proposalId, APPROVER, {
      ...where(asked.proposal),
      channel: 'C0ELSEWHERE',
    });
    expect(await answerTo(foreign.responseId)).toMatch(/posted in another channel or workspace/);
    expect((await h.store.get(asked.proposalId))!.state).toBe('proposed');
    const early = await click(h, 'autofix_rollback', asked.proposalId, APPROVER, where(asked.proposal));
    expect(await answerTo(early.responseId)).toMatch(/not been applied, so there is nothing to roll back/);

    await click(h, 'autofix_reject', asked.proposalId, APPROVER, where(asked.proposal));
    const decided = await h.slack.waitFor(
      () => {
        const m = h.slack.message(CHANNEL, asked.proposal.ts);
        return m && m.versions.length > 1 ? m : undefined;
      },
      5000,
      'the proposal message update',
    );
    const record = (await h.store.get(asked.proposalId))!;
    expect(buttonsOf(decided)).toEqual(feedbackButtons(record.runId));
    expect(textOf(decided)).toMatch(/Rejected\* by <@U0APPROVER>/);
    expect(record).toMatchObject({ state: 'rejected', decidedBy: APPROVER });
    await waitFor(
      async () =>
        (await runTags(h.env.MLFLOW_TRACKING_URI!, record.runId!))['autofix.decision'] === 'rejected',
      { what: 'the rejected tag', timeoutMs: 10_000 },
    );
    expect(await runTags(h.env.MLFLOW_TRACKING_URI!, record.runId!)).toMatchObject({
      'autofix.rejected_by': APPROVER,
      // The verdict eval --replay scores a re-proposal of the same change against.
      'autofix.label.1.verdict': 'rejected',
    });

    const after = await click(h, 'autofix_approve', asked.proposalId, APPROVER, where(asked.proposal));
    const said = await answerTo(after.responseId);
    expect(said).toMatch(/rejected by U0APPROVER/);
    expect(said).toContain(`/autofix deployment/nope -n ${ns}`);
    expect(await imageOf(k, ns, 'nope')).toBe('nginx:1.99');
  });

  it('expiry: approving after AUTOFIX_PROPOSAL_TTL is refused with the command to re-run', async () => {
    const asked = await askForFix(h, ns, 'late');
    const record = (await h.store.get(asked.proposalId))!;
    expect(record.expiresAt - record.createdAt).toBe(4000);
    await waitFor(async () => Date.now() > record.expiresAt, {
      what: 'the proposal to expire',
      timeoutMs: 10_000,
      intervalMs: 100,
    });

    const late = await click(h, 'autofix_approve', asked.proposalId, APPROVER, where(asked.proposal));
    const said = await answerTo(late.responseId);
    expect(said).toMatch(/expired at/);
    expect(said).toContain(`/autofix deployment/late -n ${ns}`);
    // The refusal is answered first; the message keeps only the feedback buttons once the expiry is recorded.
    const left = JSON.stringify(feedbackButtons(record.runId));
    const updated = await h.slack.waitFor(
      () => {
        const m = h.slack.message(CHANNEL, asked.proposal.ts);
        return m && JSON.stringify(buttonsOf(m)) === left ? m : undefined;
      },
      10_000,
      'the proposal message with only the feedback buttons',
    );
    expect(textOf(updated)).toMatch(/Expired\* — nothing was changed/);
    expect((await h.store.get(asked.proposalId))!.state).toBe('expired');
    await waitFor(
      async () =>
        (await runTags(h.env.MLFLOW_TRACKING_URI!, record.runId!))['autofix.decision'] === 'expired',
      { what: 'the expired tag', timeoutMs: 10_000 },
    );
    expect(await imageOf(k, ns, 'late')).toBe('nginx:1.99');
    expect(
      (await h.queue.getJobs(['waiting', 'active', 'completed', 'delayed'])).filter(
        (j) => j.name === 'apply',
      ),
    ).toHaveLength(0);
  });

  it('expiry without a click: a delayed job takes the buttons off and tags the run', async () => {
    const asked = await askForFix(h, ns, 'idle');
    expect(buttonsOf(asked.proposal)).not.toEqual({});
    // Only the decision buttons go; the feedback buttons stay.
    const left = JSON.stringify(feedbackButtons((await h.store.get(asked.proposalId))!.runId));
    const expired = await h.slack.waitFor(
      () => {
        const m = h.slack.message(CHANNEL, asked.proposal.ts);
        return m && JSON.stringify(buttonsOf(m)) === left ? m : undefined;
      },
      20_000,
      'the proposal message to lose its decision buttons',
    );
    expect(textOf(expired)).toMatch(/Expired\* — nothing was changed/);
    const record = (await h.store.get(asked.proposalId))!;
    expect(record.state).toBe('expired');
    await waitFor(
      async () =>
        (await runTags(h.env.MLFLOW_TRACKING_URI!, record.runId!))['autofix.decision'] === 'expired',
      { what: 'the expired tag', timeoutMs: 10_000 },
    );
    expect((await runTags(h.env.MLFLOW_TRACKING_URI!, record.runId!))['autofix.label.1.verdict']).toBe(
      'expired',
    );
    expect(await imageOf(k, ns, 'idle')).toBe('nginx:1.99');
  });
});

describe('a change too long to show whole in Slack', () => {
  it('is posted without Approve, and a forged Approve click is refused by the bot before anything changes', async () => {
    await slash(h, `deployment/wide -n ${ns}`);
    const parent = await h.slack.waitFor(
      () => parentMessages(h).find((m) => m.text.includes('deployment/wide')),
      10_000,
      'the parent message',
    );
    const proposal = await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, parent.ts).find((m) => textOf(m).includes('Too long to review here')),
      120_000,
      'the too-long proposal',
    );
    const buttons = buttonsOf(proposal);
    expect(buttons.autofix_approve).toBeUndefined();
    expect(textOf(proposal)).toContain(`kube-autofix fix deployment/wide -n ${ns}`);
    const forged = await click(h, 'autofix_approve', buttons.autofix_reject!, APPROVER, where(proposal));
    expect(await answerTo(forged.responseId)).toMatch(/too long to be shown whole in Slack/);
    // Still undecided (or expired: this file's proposals live 4 s), never approved.
    expect((await h.store.get(buttons.autofix_reject!))!.state).toMatch(/^(proposed|expired)$/);
    expect(await imageOf(k, ns, 'wide')).toBe('nginx:1.99');
  }, 180_000);
});
