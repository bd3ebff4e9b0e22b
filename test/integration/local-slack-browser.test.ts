// In a real headless Chromium: the local Slack page drives the real bot and worker on the sandbox; assertions read the page.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  openLocalSlack,
  type LocalSlackPage,
} from '../../tools/stand-ins/local-slack/local-slack-page.js';
import { serveLocalSlack } from '../../tools/stand-ins/local-slack/local-slack-web.js';
import { waitAvailable, type Kube } from './support/kube.js';
import { imageOf, useSlackScene } from './support/slack-flow.js';
import {
  APPROVER,
  CHANNEL,
  OUTSIDER,
  REQUESTER,
  SIGNING_SECRET,
  type Harness,
} from './support/slack-harness.js';

/** `UPDATE_SCREENSHOTS=1` refreshes the README's picture; otherwise it goes to the temp directory. */
const SCREENSHOT = process.env.UPDATE_SCREENSHOTS
  ? join(dirname(fileURLToPath(import.meta.url)), '../../docs/local-slack-thread.png')
  : join(tmpdir(), 'local-slack-thread.png');
const LONG = { timeout: 150_000 };

let k: Kube;
let ns: string;
let h: Harness;
let browser: Browser;
let ui: LocalSlackPage;

// Rolling back to the broken release never becomes healthy: a short rollout timeout keeps that step quick.
useSlackScene(
  'shop',
  { broken: ['web'], harness: () => ({ env: { AUTOFIX_ROLLOUT_TIMEOUT: '20s' }, worker: true }) },
  (s) => ({ k, ns, h } = s),
);

beforeAll(async () => {
  const web = serveLocalSlack(h.slack, {
    bot: { url: h.botUrl, signingSecret: SIGNING_SECRET },
    channel: { id: CHANNEL, name: 'ops' },
    users: [
      { id: REQUESTER, name: 'Dana', role: 'on-call' },
      { id: APPROVER, name: 'Priya', role: 'approver' },
      { id: OUTSIDER, name: 'Sam', role: 'not an approver' },
    ],
  });
  browser = await launchChromium();
  ui = await openLocalSlack(browser, web.url);
});

afterAll(async () => {
  await browser?.close();
});

describe('the local Slack in Chromium', () => {
  it('types /autofix, shows the thread, refuses a non-approver to them alone, applies, rolls back', async () => {
    await ui.actAs(REQUESTER);
    expect(await ui.send(`/autofix deployment/web -n ${ns}`)).toMatch(/the bot answered 200/);

    // The ack: the parent message in the channel, naming the requester; the thread opens beside it.
    const parent = ui.channelMessage(/Investigating/);
    await parent.waitFor();
    expect(await parent.textContent()).toMatch(
      new RegExp(`Investigating\\s*deployment/web\\s*in\\s*${ns}.*@Dana`),
    );
    await ui.threadMessage(/Iteration 1 of 3/).waitFor();

    // The proposal as an approver judges it: diagnosis, confidence in words, diff, validation, buttons, MLflow.
    const proposal = ui.threadMessage(/Proposed fix:/).last();
    await proposal.waitFor(LONG);
    const text = (await proposal.innerText()).replace(/\s+/g, ' ');
    expect(text).toMatch(/Root cause:.*nginx:1\.99/);
    expect(text).toMatch(/confidence 0\.\d\d — (high|medium|low)/);
    expect(text).toMatch(/schema · .*safety policy · .*server dry-run/);
    expect(await proposal.locator('pre.mk-pre').first().innerText()).toMatch(/^\+.*image: nginx:1\.27$/m);
    const run = proposal.getByRole('link', { name: 'MLflow run' });
    expect(await run.getAttribute('href')).toMatch(
      new RegExp(`^${h.env.MLFLOW_TRACKING_URI}/#/experiments/\\d+/runs/[0-9a-f]+$`),
    );
    expect(await run.getAttribute('target')).toBe('_blank');
    // With MLflow on, the feedback buttons stand beside the decision buttons.
    await expect
      .poll(() => proposal.getByRole('button').allInnerTexts())
      .toEqual([
        'Approve',
        'Reject',
        expect.stringMatching(/Helpful$/),
        expect.stringMatching(/Not helpful$/),
      ]);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    // Tall enough for the whole proposal under the progress message.
    await ui.page.setViewportSize({ width: 1440, height: 1280 });
    await ui.page.screenshot({ path: SCREENSHOT });
    await ui.page.setViewportSize({ width: 1440, height: 1000 });

    // A non-approver's click is refused, and only they see why; nothing changed.
    await ui.actAs(OUTSIDER);
    expect(await ui.click(proposal, 'Approve')).toMatch(/Sam clicked Approve — the bot answered 200/);
    const refusal = ui.threadMessage(/Only approvers/);
    await refusal.waitFor();
    expect(await refusal.getAttribute('class')).toContain('ephemeral');
    expect(await refusal.innerText()).toContain('Only visible to you');
    await ui.actAs(REQUESTER);
    expect(await ui.threadMessage(/Only approvers/).count()).toBe(0);
    expect(await proposal.getByRole('button', { name: 'Approve' }).count()).toBe(1);
    expect(await imageOf(k, ns, 'web')).toBe('nginx:1.99');

    // The approver's click applies it: the proposal loses its buttons and names them; the rollout is healthy.
    await ui.actAs(APPROVER);
    await ui.click(proposal, 'Approve');
    const applied = ui.threadMessage(/Applied — rollout healthy/);
    await applied.waitFor(LONG);
    expect((await proposal.innerText()).replace(/\s+/g, ' ')).toMatch(/Approved by @Priya/);
    // Only the feedback buttons stay on a decided proposal; the result offers Rollback.
    expect(await proposal.getByRole('button').allInnerTexts()).toEqual([
      expect.stringMatching(/Helpful$/),
      expect.stringMatching(/Not helpful$/),
    ]);
    expect((await applied.getByRole('button').allInnerTexts())[0]).toBe('Rollback');
    expect(await imageOf(k, ns, 'web')).toBe('nginx:1.27');
    await waitAvailable(k, ns, 'web');

    // Rollback asks for confirmation, then restores the template from before the change.
    await ui.click(applied, 'Rollback');
    await ui.threadMessage(/Rolling back/).waitFor();
    const rolledBack = ui.threadMessage(/Rolled back/);
    await rolledBack.waitFor(LONG);
    expect((await rolledBack.innerText()).replace(/\s+/g, ' ')).toMatch(/@Priya/);
    expect(await imageOf(k, ns, 'web')).toBe('nginx:1.99');
  });
});
