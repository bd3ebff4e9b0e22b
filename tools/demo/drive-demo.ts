// `--auto`: a headless Chromium plays the on-call and the approver on the local Slack page, reading only the page.
import type { Locator } from 'playwright-core';
import {
  launchChromium,
  openLocalSlack,
  type LocalSlackPage,
} from '../stand-ins/local-slack/local-slack-page.js';
import { APPROVER, DEMO_COMMAND, ONCALL } from './demo-cast.js';

export interface DrivenDemo {
  /** The channel and the thread as the page shows them. */
  transcript: string;
  /** The MLflow run the proposal links to. */
  runUrl: string | null;
  /** The thread's final word: the rollout is healthy. */
  healed: boolean;
  /** The alert scene (run when the first one healed): the thread nobody asked for, and whether it healed too. */
  alert: { transcript: string; healed: boolean } | null;
}

/** The parent an Alertmanager alert opened (its first line names the alert). */
const ALERT_PARENT = /Alert .*on .*: investigating|Alert resolved/;
/** A parent whose alerts still fire. */
const ALERT_FIRING = /Alert .*on .*: investigating/;

const PROPOSAL_OR_END = /Proposed fix:|Investigation failed|No safe automatic fix|Healthy: nothing to fix/;
const RESULT = /Applied — rollout|Not applied|could not be applied/;

/** Approves the thread's proposal as the approver; resolves with whether the rollout healed. */
async function approveProposal(
  ui: LocalSlackPage,
  proposal: Locator,
  say: (line: string) => void,
): Promise<boolean> {
  await ui.actAs(APPROVER.id);
  say(`${APPROVER.name} clicks Approve`);
  say(`  ${await ui.click(proposal, 'Approve')}`);
  const result = ui.threadMessage(RESULT).last();
  await result.waitFor({ timeout: 300_000 });
  return /rollout healthy/.test((await result.textContent()) ?? '');
}

/** Nobody types: the second release crash-loops, Prometheus fires, Alertmanager calls kube-autofix. */
async function alertScene(
  ui: LocalSlackPage,
  say: (line: string) => void,
  secondRelease: () => Promise<void>,
): Promise<{ transcript: string; healed: boolean }> {
  // The first release's pods also paged (KubePodNotReady…): once it healed those alerts resolve, and the
  // crash loop that follows is a new failure with its own thread, not a repeat of that incident.
  const firing = ui.channelMessage(ALERT_FIRING);
  if ((await firing.count()) > 0) {
    say("the first scene's alerts opened a thread too; waiting for them to resolve now that web is healthy");
    await firing.first().waitFor({ state: 'detached', timeout: 300_000 });
  }
  const before = await ui.channelMessage(ALERT_PARENT).count();
  await secondRelease();
  say(
    'nobody types: kube-state-metrics sees the crash loop, Prometheus fires KubePodCrashLooping, Alertmanager calls kube-autofix',
  );
  const parent = ui.channelMessage(ALERT_PARENT).nth(before);
  await parent.waitFor({ timeout: 300_000 });
  say('the alert opened a thread');
  await parent.locator('button.reply-count').waitFor({ timeout: 120_000 });
  await ui.openThread(parent);
  const outcome = ui.threadMessage(PROPOSAL_OR_END).last();
  await outcome.waitFor({ timeout: 300_000 });
  const proposal = ui.threadMessage(/Proposed fix:/).last();
  if ((await proposal.count()) === 0) return { transcript: await ui.transcript(), healed: false };
  say('the proposal is in the alert thread, waiting for an approver');
  const healed = await approveProposal(ui, proposal, say);
  return { transcript: await ui.transcript(), healed };
}

export async function driveDemo(
  pageUrl: string,
  say: (line: string) => void,
  secondRelease: () => Promise<void>,
): Promise<DrivenDemo> {
  const browser = await launchChromium();
  try {
    const ui = await openLocalSlack(browser, pageUrl);
    await ui.actAs(ONCALL.id);
    say(`${ONCALL.name} types: ${DEMO_COMMAND}`);
    say(`  ${await ui.send(DEMO_COMMAND)}`);
    const outcome = ui.threadMessage(PROPOSAL_OR_END).last();
    await outcome.waitFor({ timeout: 300_000 });
    const proposal = ui.threadMessage(/Proposed fix:/).last();
    if ((await proposal.count()) === 0)
      return { transcript: await ui.transcript(), runUrl: null, healed: false, alert: null };
    say('the proposal is in the thread');
    const healed = await approveProposal(ui, proposal, say);
    const runUrl = await proposal.getByRole('link', { name: 'MLflow run' }).first().getAttribute('href');
    const transcript = await ui.transcript();
    const alert = healed ? await alertScene(ui, say, secondRelease) : null;
    return { transcript, runUrl, healed, alert };
  } finally {
    await browser.close();
  }
}
