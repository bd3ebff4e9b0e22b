// Approver mode end to end on the real stack: the bot hands clicks to the worker, the worker asks the cluster,
// refusals reach only the clicker, two people approve, the thread and the run say who, the audit log agrees.
import { describe, expect, it } from 'vitest';
import { EXTRA_KEYS } from '../../src/k8s/impersonation.js';
import {
  PEOPLE,
  approverWorkerKubeconfig,
  bind,
  ensureTestRoles,
  identityFileText,
  requireAuditLog,
  workloadPatches,
  writeTemp,
} from './support/identities.js';
import type { Kube } from './support/kube.js';
import { askForFix, imageOf, runTags, useSlackScene } from './support/slack-flow.js';
import { CHANNEL, OUTSIDER, REQUESTER, click, textOf, type Harness } from './support/slack-harness.js';
import { waitFor } from './support/wait-for.js';

let k: Kube;
let ns: string;
let h: Harness;

useSlackScene(
  'ident-slack',
  {
    broken: ['web'],
    prepare: async (client, name) => {
      [k, ns] = [client, name];
      await ensureTestRoles(k);
      await Promise.all([
        bind(k, ns, 'priya', 'editor'),
        bind(k, ns, 'ana', 'editor'),
        bind(k, ns, 'sam', 'editor'),
        bind(k, ns, 'lee', 'viewer'),
      ]);
      await requireAuditLog(ns);
    },
    harness: async (name) => ({
      worker: true,
      env: {
        KUBECONFIG: await approverWorkerKubeconfig(k, [name]),
        AUTOFIX_APPLY_AS: 'approver',
        AUTOFIX_TWO_PERSON: 'all',
        // The requester is sam in Kubernetes: the proposal's dry-run runs as him.
        AUTOFIX_IDENTITIES: writeTemp('identities.yaml', identityFileText({ [REQUESTER]: 'sam' })),
        AUTOFIX_APPROVERS: '',
      },
    }),
  },
  (s) => ({ k, ns, h } = s),
);

const ephemeralTo = (user: string, pattern: RegExp) =>
  h.slack.waitFor(
    () => h.slack.ephemerals(CHANNEL, user).find((e) => pattern.test(textOf(e))),
    20_000,
    `an ephemeral to ${user} matching ${pattern}`,
  );

describe('approver mode in Slack', () => {
  it('RBAC refuses a viewer privately, one approval waits, the same person twice does not count, the second applies as them', async () => {
    const asked = await askForFix(h, ns, 'web');
    expect(textOf(asked.proposal)).toContain('Needs 2 distinct approvers');
    const where = { channel: CHANNEL, messageTs: asked.proposal.ts, threadTs: asked.parent.ts };

    // Unmapped: the bot refuses at once, only to the clicker, saying how to get mapped.
    const outsider = await click(h, 'autofix_approve', asked.proposalId, OUTSIDER, where);
    const answer = await h.slack.waitForResponse((r) => r.id === outsider.responseId, 10_000);
    expect(JSON.stringify(answer.body)).toMatch(/has no Kubernetes identity.*AUTOFIX_IDENTITIES/);

    // A viewer: the worker's SubjectAccessReview says no, with the API server's words, to lee only.
    await click(h, 'autofix_approve', asked.proposalId, PEOPLE.lee.slack, where);
    const denied = await ephemeralTo(PEOPLE.lee.slack, /may not patch/);
    expect(textOf(denied)).toContain(`lee@example.com may not patch deployments.apps web in ${ns}`);

    // The first approval: recorded, shown in the message, nothing applied.
    await click(h, 'autofix_approve', asked.proposalId, PEOPLE.priya.slack, where);
    await ephemeralTo(PEOPLE.priya.slack, /recorded \(1 of 2\)/);
    await h.slack.waitFor(
      () => textOf(h.slack.message(CHANNEL, asked.proposal.ts)).includes('1 of 2 approvals'),
      10_000,
      'the proposal showing 1 of 2 approvals',
    );
    await click(h, 'autofix_approve', asked.proposalId, PEOPLE.priya.slack, where);
    await ephemeralTo(PEOPLE.priya.slack, /already approved/);
    expect(await imageOf(k, ns, 'web')).toBe('nginx:1.99');
    expect((await h.store.get(asked.proposalId))!.state).toBe('proposed');

    // The second, distinct approver: applied as ana, priya named too.
    await click(h, 'autofix_approve', asked.proposalId, PEOPLE.ana.slack, where);
    const applied = await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, asked.parent.ts).find((m) => m.text.startsWith('Applied fix')),
      120_000,
      'the apply result',
    );
    expect(textOf(applied)).toContain(
      'Applied as ana@example.com (groups: sre)  ·  approved by <@U0PRIYA> (priya@example.com), <@U0ANA> (ana@example.com)',
    );
    expect(textOf(h.slack.message(CHANNEL, asked.proposal.ts))).toContain(
      'by <@U0ANA> as ana@example.com (groups: sre), after <@U0PRIYA> (priya@example.com)',
    );
    expect(await imageOf(k, ns, 'web')).toBe('nginx:1.27');

    const patch = await waitFor(async () => workloadPatches(ns, 'web')[0], { what: 'the audited PATCH' });
    expect(workloadPatches(ns, 'web')).toHaveLength(1);
    expect(patch.impersonatedUser).toMatchObject({
      username: PEOPLE.ana.user,
      extra: {
        [EXTRA_KEYS.proposal]: [asked.proposalId],
        [EXTRA_KEYS.slackUser]: [PEOPLE.ana.slack],
        [EXTRA_KEYS.firstApprover]: [PEOPLE.priya.user],
      },
    });
    const dry = workloadPatches(ns, 'web', { dryRun: true });
    expect(dry.map((e) => e.impersonatedUser?.username)).toContain(PEOPLE.sam.user);

    const record = (await h.store.get(asked.proposalId))!;
    const tags = await waitFor(async () => {
      const t = await runTags(h.env.MLFLOW_TRACKING_URI!, record.runId!);
      return t['autofix.applied_as'] ? t : null;
    });
    expect(tags).toMatchObject({
      'autofix.applied_as': 'ana@example.com (groups: sre)',
      'autofix.approved_by': PEOPLE.ana.slack,
      'autofix.approvals_needed': '2',
    });
    expect(tags['autofix.approvals']).toMatch(/^U0PRIYA as priya@example\.com .*; U0ANA as ana@example\.com/);
    expect(tags['autofix.applied_review']).toContain(
      `ana@example.com may patch deployments.apps web in ${ns}`,
    );
  });
});
