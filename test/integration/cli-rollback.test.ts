// `kube-autofix rollback <proposal>` on the sandbox: the proposal a Slack approval applied is rolled back from a
// terminal through the same decision and safe rollback; the store, the run and the Slack button agree after.
import { beforeAll, describe, expect, it } from 'vitest';
import { type Kube } from './support/kube.js';
import { runRollback } from './support/run-cli.js';
import { askForFix, imageOf, runTags, useSlackScene } from './support/slack-flow.js';
import { APPROVER, CHANNEL, click, type Harness } from './support/slack-harness.js';
import { waitFor } from './support/wait-for.js';

let k: Kube;
let ns: string;
let h: Harness;
let proposalId: string;

// Rolling back to the broken release never becomes healthy: a short rollout timeout keeps that step quick.
useSlackScene(
  'cli-rollback',
  { broken: ['web'], harness: () => ({ env: { AUTOFIX_ROLLOUT_TIMEOUT: '20s' }, worker: true }) },
  (s) => ({ k, ns, h } = s),
);

beforeAll(async () => {
  const asked = await askForFix(h, ns, 'web');
  proposalId = asked.proposalId;
  await click(h, 'autofix_approve', proposalId, APPROVER, {
    channel: CHANNEL,
    messageTs: asked.proposal.ts,
    threadTs: asked.parent.ts,
  });
  await waitFor(async () => (await h.store.get(proposalId))?.state === 'applied', {
    what: 'the approved fix applied',
    timeoutMs: 120_000,
  });
});

const env = () => ({
  REDIS_URL: h.env.REDIS_URL,
  AUTOFIX_QUEUE_PREFIX: h.prefix,
  AUTOFIX_NAMESPACES: ns,
  MLFLOW_TRACKING_URI: h.env.MLFLOW_TRACKING_URI,
  MLFLOW_EXPERIMENT_NAME: h.env.MLFLOW_EXPERIMENT_NAME,
  AUTOFIX_ROLLOUT_TIMEOUT: '20s',
  USER: 'dana',
});

describe('kube-autofix rollback <proposal>', () => {
  it('refuses clearly and changes nothing: no terminal to confirm on, an unknown id, a namespace no longer allowed', async () => {
    const noTty = await runRollback(proposalId, {}, env());
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/no terminal.*--yes/s);
    const unknown = await runRollback('pdoesnotexist', { yes: true, json: true }, env());
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({
      outcome: 'error',
      error: expect.stringMatching(/not stored/),
    });
    const narrowed = await runRollback(
      proposalId,
      { yes: true, json: true },
      { ...env(), AUTOFIX_NAMESPACES: 'other' },
    );
    expect(narrowed.code).toBe(2);
    expect(JSON.parse(narrowed.stdout).error).toMatch(/is not allowed/);
    expect((await h.store.get(proposalId))!.state).toBe('applied');
    expect(await imageOf(k, ns, 'web')).toBe('nginx:1.27');
  });

  it('rolls the applied change back as the button would; a second rollback and the button are refused', async () => {
    const rolled = await runRollback(proposalId, { yes: true, json: true }, env());
    const out = JSON.parse(rolled.stdout) as { outcome: string; healthy: boolean; target: { name: string } };
    // The template from before the change is the broken release: rolled back, but not healthy (exit 1).
    expect(out).toMatchObject({ outcome: 'rolled_back', healthy: false, target: { name: 'web' } });
    expect(rolled.code).toBe(1);
    expect(await imageOf(k, ns, 'web')).toBe('nginx:1.99');
    const record = (await h.store.get(proposalId))!;
    expect(record.state).toBe('rolled_back');
    expect(record.rolledBackBy).toBe('cli (dana)');
    expect((await runTags(h.env.MLFLOW_TRACKING_URI!, record.runId!))['autofix.rolled_back_by']).toBe(
      'cli (dana)',
    );

    const again = await runRollback(proposalId, { yes: true, json: true }, env());
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stdout).error).toMatch(/already rolled back by cli \(dana\)/);
    const button = await click(h, 'autofix_rollback', proposalId, APPROVER, {
      channel: CHANNEL,
      messageTs: record.messageTs!,
      threadTs: record.thread.threadTs,
    });
    const answer = await h.slack.waitForResponse((r) => r.id === button.responseId, 10_000);
    expect(JSON.stringify(answer.body)).toMatch(/already rolled back/);
  });
});
