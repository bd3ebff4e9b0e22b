// `--auto`: a headless Chromium plays the on-call and the approver on the local Slack page, reading only the page.
import { launchChromium, openLocalSlack } from '../stand-ins/local-slack/local-slack-page.js';
import { APPROVER, DEMO_COMMAND, ONCALL } from './demo-cast.js';

export interface DrivenDemo {
  /** The channel and the thread as the page shows them. */
  transcript: string;
  /** The MLflow run the proposal links to. */
  runUrl: string | null;
  /** The thread's final word: the rollout is healthy. */
  healed: boolean;
}

const PROPOSAL_OR_END = /Proposed fix:|Investigation failed|No safe automatic fix|Healthy: nothing to fix/;
const RESULT = /Applied — rollout|Not applied|could not be applied/;

export async function driveDemo(pageUrl: string, say: (line: string) => void): Promise<DrivenDemo> {
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
      return { transcript: await ui.transcript(), runUrl: null, healed: false };
    say('the proposal is in the thread');
    await ui.actAs(APPROVER.id);
    say(`${APPROVER.name} clicks Approve`);
    say(`  ${await ui.click(proposal, 'Approve')}`);
    const result = ui.threadMessage(RESULT).last();
    await result.waitFor({ timeout: 300_000 });
    const healed = /rollout healthy/.test((await result.textContent()) ?? '');
    const runUrl = await proposal.getByRole('link', { name: 'MLflow run' }).first().getAttribute('href');
    return { transcript: await ui.transcript(), runUrl, healed };
  } finally {
    await browser.close();
  }
}
