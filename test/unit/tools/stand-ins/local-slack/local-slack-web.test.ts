// The local Slack web app over HTTP: signed commands and clicks reach a bot, answers show only to their user, live views.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySlackRequest, webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelView } from '../../../../../tools/stand-ins/local-slack/channel-view.js';
import { serveLocalSlack } from '../../../../../tools/stand-ins/local-slack/local-slack-web.js';
import {
  startSlackStandIn,
  type SlackStandIn,
} from '../../../../../tools/stand-ins/local-slack/slack-stand-in.js';

const SECRET = 'local-web-secret';
const CHANNEL = { id: 'C0OPS', name: 'ops' };
const DANA = { id: 'U0DANA', name: 'Dana', role: 'on-call' };
const SAM = { id: 'U0SAM', name: 'Sam', role: 'not an approver' };

interface Received {
  form: URLSearchParams;
}

/** A bot that checks Slack's signature as Bolt does, records what it got, and answers with `answer`. */
async function fakeBot(answer: (r: Received) => { status: number; body: string }): Promise<{
  url: string;
  received: Received[];
  server: Server;
}> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      verifySlackRequest({
        signingSecret: SECRET,
        body,
        headers: {
          'x-slack-signature': String(req.headers['x-slack-signature']),
          'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
        },
      });
      const r = { form: new URLSearchParams(body) };
      received.push(r);
      const a = answer(r);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, received, server };
}

let slack: SlackStandIn;
let bot: Awaited<ReturnType<typeof fakeBot>>;
let page: string;
let answer: (r: Received) => { status: number; body: string };

beforeEach(async () => {
  slack = await startSlackStandIn();
  answer = () => ({ status: 200, body: '' });
  bot = await fakeBot((r) => answer(r));
  page = serveLocalSlack(slack, {
    bot: { url: bot.url, signingSecret: SECRET },
    channel: CHANNEL,
    users: [DANA, SAM],
  }).url;
});
afterEach(async () => {
  await slack.close();
  await new Promise((r) => bot.server.close(r));
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(new URL(path, page), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const view = (user: string) => channelView(slack, CHANNEL.id, user, { botName: 'kube-autofix' });
const texts = (user: string) =>
  [...view(user).parents, ...Object.values(view(user).threads).flat()].map((m) => m.html);

describe('the page', () => {
  it('is served with a strict content security policy, its script transpiled to plain JavaScript', async () => {
    const res = await fetch(page);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<script type="module" src="/assets/local-slack-client.js">');
    const js = await (await fetch(new URL('/assets/local-slack-client.js', page))).text();
    expect(js).toContain('new EventSource(');
    expect(js).not.toMatch(/: HTMLElement|import type/);
    expect((await fetch(new URL('/local/config', page))).status).toBe(200);
    const link = await fetch(new URL('/archives/C0OPS/p1796158800000042', page), { redirect: 'manual' });
    expect(link.headers.get('location')).toBe('/?thread=1796158800.000042');
  });
});

describe('typing a command', () => {
  it('sends a signed slash command as the chosen user; an ack body is shown to that user only', async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ response_type: 'ephemeral', text: 'Usage: …' }) });
    const res = await post('/local/command', { user: SAM.id, text: '/autofix   help ' });
    expect(await res.json()).toMatchObject({ status: 200, error: null });
    const form = bot.received[0]!.form;
    expect(Object.fromEntries(form)).toMatchObject({
      command: '/autofix',
      text: 'help',
      user_id: SAM.id,
      user_name: 'Sam',
      channel_id: CHANNEL.id,
    });
    expect(texts(SAM.id)).toEqual(['<div class="bk-text">Usage: …</div>']);
    expect(texts(DANA.id)).toEqual([]);
    // The response_url works as Slack's: an in_channel answer is seen by everyone.
    await fetch(form.get('response_url')!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'in_channel', text: 'for all' }),
    });
    expect(texts(DANA.id)).toEqual(['<div class="bk-text">for all</div>']);
  });

  it("shows Slack's own error when the bot does not answer 200, and refuses what is not a command", async () => {
    answer = () => ({ status: 500, body: '' });
    expect(await (await post('/local/command', { user: DANA.id, text: '/autofix x' })).json()).toMatchObject({
      status: 500,
      error: '/autofix failed with the error "http_500"',
    });
    expect(view(DANA.id).parents[0]).toMatchObject({ author: 'Slackbot', ephemeral: true });
    expect((await post('/local/command', { user: DANA.id, text: 'hello' })).status).toBe(400);
    expect((await post('/local/command', { user: DANA.id, text: '/deploy x' })).status).toBe(400);
    expect((await post('/local/command', { user: 'U0NOBODY', text: '/autofix x' })).status).toBe(400);
    expect((await post('/local/command', { text: '/autofix x' })).status).toBe(400);
    expect(bot.received).toHaveLength(1);
  });

  it('refuses posts that are not JSON from this page (another site cannot drive it)', async () => {
    const form = await fetch(new URL('/local/command', page), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ user: DANA.id, text: '/autofix help' }),
    });
    expect(form.status).toBe(403);
    const foreign = await post(
      '/local/command',
      { user: DANA.id, text: '/autofix help' },
      { origin: 'http://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect(bot.received).toEqual([]);
  });
});

describe('clicking a button', () => {
  it('sends block_actions with the message as seen; an ephemeral answer shows in its thread to the clicker only', async () => {
    const web = new webApi.WebClient(slack.botToken, { slackApiUrl: slack.apiUrl });
    const parent = await web.chat.postMessage({ channel: CHANNEL.id, text: 'Investigating' });
    const blocks = [
      {
        type: 'actions' as const,
        block_id: 'autofix_proposal_actions',
        elements: [
          {
            type: 'button' as const,
            action_id: 'autofix_approve',
            value: 'p1',
            text: { type: 'plain_text' as const, text: 'Approve' },
          },
        ],
      },
    ];
    const proposal = await web.chat.postMessage({
      channel: CHANNEL.id,
      thread_ts: parent.ts!,
      text: 'Proposed',
      blocks,
    });
    const res = await post('/local/click', {
      user: SAM.id,
      messageTs: proposal.ts,
      actionId: 'autofix_approve',
      blockId: 'autofix_proposal_actions',
      value: 'p1',
      buttonText: 'Approve',
    });
    expect(await res.json()).toMatchObject({ status: 200, error: null });
    const payload = JSON.parse(bot.received[0]!.form.get('payload')!) as { response_url: string };
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: SAM.id, name: 'Sam' },
      channel: { id: CHANNEL.id },
      container: { message_ts: proposal.ts },
      message: { ts: proposal.ts, thread_ts: parent.ts, text: 'Proposed', blocks },
      actions: [{ action_id: 'autofix_approve', value: 'p1', block_id: 'autofix_proposal_actions' }],
    });
    const refused = await fetch(payload.response_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: 'Only approvers' }),
    });
    expect(refused.status).toBe(200);
    expect(view(SAM.id).threads[parent.ts!]!.map((m) => [m.ephemeral, m.html])).toEqual([
      [false, expect.stringContaining('Approve')],
      [true, '<div class="bk-text">Only approvers</div>'],
    ]);
    expect(view(DANA.id).threads[parent.ts!]).toHaveLength(1);
  });

  it('rejects a response Slack would reject (bad blocks) and shows nothing, like the Web API; replaces and deletes', async () => {
    const web = new webApi.WebClient(slack.botToken, { slackApiUrl: slack.apiUrl });
    const m = await web.chat.postMessage({ channel: CHANNEL.id, text: 'm' });
    await post('/local/click', {
      user: DANA.id,
      messageTs: m.ts,
      actionId: 'a',
      blockId: 'b',
      value: 'v',
      buttonText: 'A',
    });
    const url = JSON.parse(bot.received[0]!.form.get('payload')!).response_url as string;
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, text: 'x', blocks: tooMany }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(slack.message(CHANNEL.id, m.ts!)!.versions).toHaveLength(1);
    const replaced = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, text: 'replaced' }),
    });
    expect(replaced.status).toBe(200);
    expect(slack.message(CHANNEL.id, m.ts!)!.text).toBe('replaced');
    const deleted = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delete_original: true }),
    });
    expect(deleted.status).toBe(200);
    expect(slack.message(CHANNEL.id, m.ts!)).toBeUndefined();
  });
});

describe('live view', () => {
  it('streams the viewer’s channel, and again when the bot posts', async () => {
    const res = await fetch(new URL(`/local/events?user=${DANA.id}`, page));
    const reader = res.body!.getReader();
    const next = async (): Promise<{ parents: Array<{ html: string }> }> => {
      const { value } = await reader.read();
      return JSON.parse(new TextDecoder().decode(value).replace(/^data: /, '')) as never;
    };
    expect((await next()).parents).toEqual([]);
    await new webApi.WebClient(slack.botToken, { slackApiUrl: slack.apiUrl }).chat.postMessage({
      channel: CHANNEL.id,
      text: '*hello*',
    });
    expect((await next()).parents.map((m) => m.html)).toEqual(['<div class="bk-text"><b>hello</b></div>']);
    await reader.cancel();
  });
});
