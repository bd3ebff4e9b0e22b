// The poster against the Slack stand-in: Retry-After honoured and bounded, 5xx retried, plain-text fallback.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { createSlackPoster, createSlackWebClient, type SlackPoster } from '../../src/slack/slack-poster.js';
import { startSlackStandIn, type SlackStandIn } from '../../tools/stand-ins/local-slack/slack-stand-in.js';

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
let slack: SlackStandIn;
let poster: SlackPoster;
const rich = {
  text: 'fallback text',
  blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '*rich*' } }],
};

beforeEach(async () => {
  slack = await startSlackStandIn();
  const client = createSlackWebClient(
    { botToken: slack.botToken, apiUrl: slack.apiUrl },
    { retries: 2, minTimeoutMs: 20 },
  );
  poster = createSlackPoster(client, logger, { maxRateLimitRetries: 2, maxRetryAfterSeconds: 5 });
});
afterEach(async () => {
  await slack.close();
});

describe('rate limits', () => {
  it('waits Retry-After on a 429 and delivers the message', async () => {
    slack.failNext('chat.postMessage', { rateLimited: true, retryAfter: 1 });
    const t0 = performance.now();
    const ts = await poster.post('C1', rich);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    expect(slack.calls('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(slack.message('C1', ts)?.text).toBe('fallback text');
  });

  it('gives up after a bounded number of 429s, as a transient (retryable) error', async () => {
    slack.failNext(
      'chat.postMessage',
      { rateLimited: true, retryAfter: 1 },
      { rateLimited: true, retryAfter: 1 },
      { rateLimited: true, retryAfter: 1 },
    );
    const err = await poster.post('C1', rich).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SLACK_RATE_LIMITED', transient: true });
    expect(slack.calls('chat.postMessage')).toHaveLength(3);
  });

  it('does not sit on a Retry-After longer than its bound', async () => {
    slack.failNext('chat.update', { rateLimited: true, retryAfter: 120 });
    const t0 = performance.now();
    const err = await poster.update('C1', '1.1', rich).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(err).toMatchObject({ code: 'SLACK_RATE_LIMITED' });
  });
});

describe('failures', () => {
  it('retries a Slack 5xx briefly, then succeeds', async () => {
    slack.failNext('chat.postMessage', { status: 503 });
    await poster.post('C1', rich);
    expect(slack.calls('chat.postMessage').map((c) => c.status)).toEqual([503, 200]);
  });

  it('falls back to plain text when Slack refuses the blocks', async () => {
    slack.failNext('chat.postMessage', { error: 'invalid_blocks' });
    const ts = await poster.post('C1', rich);
    const [first, second] = slack.calls('chat.postMessage');
    expect(first!.response.error).toBe('invalid_blocks');
    expect(second!.args.blocks).toBeUndefined();
    expect(slack.message('C1', ts)).toMatchObject({ text: 'fallback text', blocks: [] });
  });

  it('falls back to plain text when the blocks carry more text than Slack takes in one message', async () => {
    const section = (i: number) => ({
      type: 'section',
      text: { type: 'mrkdwn', text: `${i} ${'x'.repeat(2900)}` },
    });
    const long = { text: 'fallback text', blocks: [0, 1, 2, 3, 4].map(section) };
    const ts = await poster.post('C1', long as never);
    const calls = slack.calls('chat.postMessage').slice(-2);
    expect(calls[0]!.response.error).toBe('msg_blocks_too_long');
    expect(slack.message('C1', ts)).toMatchObject({ text: 'fallback text', blocks: [] });
  });

  it('maps refusals to permanent errors carrying Slack’s reason', async () => {
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    const err = await poster.post('C404', rich).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SLACK_REJECTED', slackError: 'channel_not_found', transient: false });
  });

  it('posts threaded replies and edits them', async () => {
    const parent = await poster.post('C1', rich);
    const reply = await poster.post('C1', { text: 'in thread' }, parent);
    await poster.update('C1', reply, { text: 'edited', blocks: rich.blocks });
    expect(slack.messagesIn('C1', parent).map((m) => m.text)).toEqual(['edited']);
  });
});
