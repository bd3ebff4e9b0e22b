// The Slack stand-in against the real clients: Bolt verifies its signatures, WebClient posts to it, 429s are retried.
import type { AddressInfo } from 'node:net';
import { App, LogLevel, verifySlackRequest, webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  blockActionPayload,
  sendSlashCommand,
  signedHeaders,
  slashCommandFields,
  startSlackStandIn,
  type SlackStandIn,
} from '../../../../../tools/stand-ins/local-slack/slack-stand-in.js';

const SECRET = 'standin-signing-secret';
let slack: SlackStandIn;
beforeEach(async () => {
  slack = await startSlackStandIn({ usergroups: { S0APPROVERS: ['U0ALICE', 'U0BOB'] } });
});
afterEach(async () => {
  await slack.close();
});

const fastRetries = { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 };
const client = (token = slack.botToken): webApi.WebClient =>
  new webApi.WebClient(token, {
    slackApiUrl: slack.apiUrl,
    retryConfig: fastRetries,
    logLevel: webApi.LogLevel.ERROR,
  });

async function platformError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { data?: { error?: string } }).data?.error ?? String(e);
  }
  throw new Error('expected the call to fail');
}

describe('signing', () => {
  it("matches Bolt's verifySlackRequest, and forged or stale requests fail it", () => {
    const body = new URLSearchParams(slashCommandFields({ text: 'deployment/web -n shop' })).toString();
    const verify = (h: Record<string, string>): void =>
      verifySlackRequest({
        signingSecret: SECRET,
        body,
        headers: {
          'x-slack-signature': h['x-slack-signature']!,
          'x-slack-request-timestamp': Number(h['x-slack-request-timestamp']),
        },
      });
    expect(() => verify(signedHeaders(SECRET, body))).not.toThrow();
    expect(() => verify(signedHeaders(SECRET, body, { forgeSignature: true }))).toThrow(/signature/i);
    expect(() => verify(signedHeaders(SECRET, body, { staleBySeconds: 6 * 60 }))).toThrow(/stale|timestamp/i);
  });
});

describe('Web API', () => {
  it('answers auth.test and records posts, thread replies and updates', async () => {
    const web = client();
    expect(await web.auth.test()).toMatchObject({ ok: true, user_id: 'U0AUTOFIX', team_id: 'T0STANDIN' });
    const parent = await web.chat.postMessage({
      channel: 'C1',
      text: 'parent',
      blocks: [{ type: 'divider' }],
    });
    expect(parent.ts).toMatch(/^\d+\.\d{6}$/);
    const reply = await web.chat.postMessage({ channel: 'C1', thread_ts: parent.ts!, text: 'progress' });
    await web.chat.update({ channel: 'C1', ts: reply.ts!, text: 'progress 2' });
    expect(slack.messagesIn('C1').map((m) => m.text)).toEqual(['parent']);
    const [threaded] = slack.messagesIn('C1', parent.ts);
    expect(threaded).toMatchObject({ text: 'progress 2', threadTs: parent.ts });
    expect(threaded!.versions.map((v) => v.text)).toEqual(['progress', 'progress 2']);
    expect(slack.calls('chat.postMessage')[0]!.args.blocks).toEqual([{ type: 'divider' }]);
    expect(slack.calls('chat.postMessage')[0]!.token).toBe(slack.botToken);
  });

  it('refuses a bad token, an unknown thread, an unknown message and over-limit blocks like Slack', async () => {
    expect(await platformError(client('xoxb-wrong').chat.postMessage({ channel: 'C1', text: 'x' }))).toBe(
      'invalid_auth',
    );
    const web = client();
    expect(
      await platformError(web.chat.postMessage({ channel: 'C1', thread_ts: '1.000001', text: 'x' })),
    ).toBe('thread_not_found');
    expect(await platformError(web.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' }))).toBe(
      'message_not_found',
    );
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' as const }));
    expect(await platformError(web.chat.postMessage({ channel: 'C1', text: 'x', blocks: tooMany }))).toBe(
      'invalid_blocks',
    );
    const longSection = [
      { type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'x'.repeat(3001) } },
    ];
    expect(await platformError(web.chat.postMessage({ channel: 'C1', text: 'x', blocks: longSection }))).toBe(
      'invalid_blocks',
    );
    expect(slack.calls('chat.postMessage').at(-1)!.response.errors).toEqual([
      'must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ]);
    expect(slack.messagesIn('C1')).toEqual([]);
  });

  it('retries a 429 with Retry-After and then delivers', async () => {
    slack.failNext('chat.postMessage', { rateLimited: true, retryAfter: 1 });
    const started = Date.now();
    const res = await client().chat.postMessage({ channel: 'C1', text: 'after the rate limit' });
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(slack.calls('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(slack.messagesIn('C1').map((m) => m.text)).toEqual(['after the rate limit']);
  });

  it('answers scripted errors once, in order', async () => {
    slack.failNext('chat.update', { error: 'cant_update_message' });
    const web = client();
    const { ts } = await web.chat.postMessage({ channel: 'C1', text: 'a' });
    expect(await platformError(web.chat.update({ channel: 'C1', ts: ts!, text: 'b' }))).toBe(
      'cant_update_message',
    );
    await web.chat.update({ channel: 'C1', ts: ts!, text: 'b' });
    expect(slack.message('C1', ts!)!.text).toBe('b');
  });

  it('serves ephemerals, permalinks, user groups and users', async () => {
    const web = client();
    const { ts } = await web.chat.postMessage({ channel: 'C1', text: 'a' });
    await web.chat.postEphemeral({ channel: 'C1', user: 'U0CAROL', text: 'only approvers can approve' });
    expect(slack.ephemerals('C1', 'U0CAROL').map((e) => e.text)).toEqual(['only approvers can approve']);
    expect((await web.chat.getPermalink({ channel: 'C1', message_ts: ts! })).permalink).toContain(
      '/archives/C1/p',
    );
    expect((await web.usergroups.users.list({ usergroup: 'S0APPROVERS' })).users).toEqual([
      'U0ALICE',
      'U0BOB',
    ]);
    expect(await platformError(web.usergroups.users.list({ usergroup: 'S0NONE' }))).toBe('no_such_subteam');
    expect((await web.users.info({ user: 'U0ALICE' })).user).toMatchObject({ id: 'U0ALICE', deleted: false });
  });

  it('waits for a call without sleeping, and explains a timeout', async () => {
    const waiting = slack.waitForCall(
      (c) => c.method === 'chat.postMessage' && c.args.text === 'later',
      2000,
    );
    await client().chat.postMessage({ channel: 'C1', text: 'later' });
    expect((await waiting).args.channel).toBe('C1');
    await expect(slack.waitForCall((c) => c.method === 'chat.delete', 50)).rejects.toThrow(
      /timed out after 50 ms waiting for a matching Web API call; calls seen: chat.postMessage→true/,
    );
  });
});

describe('requests into a real Bolt app', () => {
  let app: App;
  let botUrl: string;
  beforeEach(async () => {
    app = new App({
      token: slack.botToken,
      signingSecret: SECRET,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: fastRetries },
    });
    app.command('/autofix', async ({ ack, command, client: web, respond }) => {
      await ack();
      await web.chat.postMessage({ channel: command.channel_id, text: `investigating ${command.text}` });
      await respond({ response_type: 'ephemeral', text: 'queued' });
    });
    app.action('autofix_approve', async ({ ack, body, respond }) => {
      await ack();
      await respond({ replace_original: false, text: `approved by ${body.user.id}` });
    });
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterEach(async () => {
    await app.stop();
  });

  it('delivers a signed slash command: acked fast, posts through the stand-in, responds on response_url', async () => {
    const reply = await slack.sendSlashCommand(botUrl, SECRET, {
      text: 'deployment/web -n shop',
      channel_id: 'C9',
    });
    expect(reply.status).toBe(200);
    expect(reply.ms).toBeLessThan(3000);
    const post = await slack.waitForCall((c) => c.method === 'chat.postMessage');
    expect(post.args).toMatchObject({ channel: 'C9', text: 'investigating deployment/web -n shop' });
    expect((await slack.waitForResponse(() => true)).body).toMatchObject({
      text: 'queued',
      response_type: 'ephemeral',
    });
    expect(slack.calls('auth.test')).toHaveLength(1);
  });

  it('delivers a signed block action', async () => {
    const payload = blockActionPayload({
      actionId: 'autofix_approve',
      value: 'prop_1',
      userId: 'U0ALICE',
      channelId: 'C9',
      messageTs: '1700000000.000100',
      responseUrl: slack.responseUrl('click-1'),
    });
    const reply = await slack.sendBlockAction(botUrl, SECRET, payload);
    expect(reply.status).toBe(200);
    expect((await slack.waitForResponse((r) => r.id === 'click-1')).body).toMatchObject({
      text: 'approved by U0ALICE',
    });
  });

  it('is refused by Bolt when the signature is forged or the timestamp stale', async () => {
    const forged = await sendSlashCommand(
      botUrl,
      SECRET,
      { text: 'deployment/web' },
      { forgeSignature: true },
    );
    const stale = await sendSlashCommand(
      botUrl,
      SECRET,
      { text: 'deployment/web' },
      { staleBySeconds: 10 * 60 },
    );
    expect([forged.status, stale.status]).toEqual([401, 401]);
    expect(slack.calls('chat.postMessage')).toEqual([]);
  });
});
