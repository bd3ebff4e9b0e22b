// Drives the local Slack page in a real browser (playwright-core + Debian's chromium): act as, type, click, read.
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Debian's package; CHROMIUM_PATH points elsewhere. */
export const chromiumPath = (): string => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  // Chromium's own sandbox needs user namespaces, which root in a container does not get.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
}

export interface LocalSlackPage {
  page: Page;
  /** Picks the user in "Acting as" and waits until the page shows that user's view. */
  actAs(userId: string): Promise<void>;
  /** Types `text` in the message box and sends it; resolves with the status line once the bot answered. */
  send(text: string): Promise<string>;
  /** Messages in the channel (parents) or the open thread containing `text`. */
  channelMessage(text: string | RegExp): Locator;
  threadMessage(text: string | RegExp): Locator;
  /** Opens the thread of a channel message (its "N replies" link). */
  openThread(message: Locator): Promise<void>;
  /** Clicks the button `label` in `message` (confirming a dialog if it asks); resolves with the status line. */
  click(message: Locator, label: string): Promise<string>;
  /** The channel and the open thread as readable text. */
  transcript(): Promise<string>;
}

const STATUS = '#composer-status';

async function statusAfter(page: Page, done: RegExp): Promise<string> {
  const status = page.locator(STATUS);
  await status.filter({ hasText: done }).waitFor();
  return (await status.textContent()) ?? '';
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The little of the DOM the transcript reads (this file is checked without the DOM library). */
interface DomNode {
  innerText: string;
  hidden: boolean;
  classList: { contains(name: string): boolean };
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): ArrayLike<DomNode>;
  children: ArrayLike<DomNode>;
}

/**
 * Runs in the page: every message as its "author APP time" line and its body's text, indented.
 * No inner named functions: tsx would wrap them in a helper the page does not have.
 */
function readTranscript(): string {
  const doc = (globalThis as unknown as { document: DomNode }).document;
  const lines: string[] = [];
  for (const [title, selector] of [
    ['#channel', '[data-pane="channel"] .messages'],
    ['thread', '[data-pane="thread"]:not([hidden]) .messages'],
  ] as const) {
    const pane = doc.querySelector(selector);
    if (!pane) continue;
    lines.push(`── ${title} ──`);
    for (const msg of Array.from(pane.querySelectorAll('.msg'))) {
      const meta = msg.querySelector('.msg-meta')?.innerText.replace(/\s+/g, ' ') ?? '';
      lines.push(`${meta}${msg.classList.contains('ephemeral') ? ' (only visible to you)' : ''}`);
      for (const block of Array.from(msg.querySelector('.msg-body')?.children ?? [])) {
        const text = block.classList.contains('bk-actions')
          ? Array.from(block.querySelectorAll('.bk-btn'))
              .map((b) => `[${b.innerText}]`)
              .join(' ')
          : block.innerText;
        for (const line of text.split('\n')) if (line.trim()) lines.push(`    ${line}`);
      }
    }
  }
  return lines.join('\n');
}

export async function openLocalSlack(browser: Browser, url: string): Promise<LocalSlackPage> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(url);
  await page.locator('body[data-user]').waitFor();
  const pane = (name: string) => page.locator(`[data-pane="${name}"] .msg`);
  return {
    page,
    async actAs(userId) {
      await page.locator('#as-user').selectOption(userId);
      await page.locator(`body[data-user="${userId}"]`).waitFor();
    },
    async send(text) {
      await page.locator('#composer').fill(text);
      await page.locator('#composer').press('Enter');
      return statusAfter(page, new RegExp(`${escapeRe(text)}(: | — the bot answered)`));
    },
    channelMessage: (text) => pane('channel').filter({ hasText: text }),
    threadMessage: (text) => pane('thread').filter({ hasText: text }),
    async openThread(message) {
      await message.locator('button.reply-count').click();
      await page.locator('[data-pane="thread"]:not([hidden])').waitFor();
    },
    async click(message, label) {
      const button = message.getByRole('button', { name: label, exact: true });
      const confirms = Boolean(await button.getAttribute('data-confirm'));
      await button.click();
      if (confirms) await page.locator('#confirm-dialog .confirm-ok').click();
      return statusAfter(page, new RegExp(`clicked ${escapeRe(label)}( — the bot answered|: )`));
    },
    transcript: () => page.evaluate(readTranscript),
  };
}
