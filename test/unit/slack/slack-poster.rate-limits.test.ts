// Fault test: a 429 storm on a thread of 50 progress updates loses no update and keeps their order.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import {
  createSlackPoster,
  createSlackWebClient,
  type SlackPoster,
} from '../../../src/slack/slack-poster.js';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/stand-ins/local-slack/slack-stand-in.js';

const UPDATES = 50;
const logger = createLogger('silent');
let slack: SlackStandIn;
let poster: SlackPoster;
const waits: number[] = [];
const figures = { updates: 0, rateLimited: 0, delivered: 0, lost: 0, outOfOrder: 0, waitedSeconds: 0 };

beforeEach(async () => {
  slack = await startSlackStandIn();
  waits.length = 0;
  // Retry-After is honoured through the injected sleep, so the storm costs no wall-clock time.
  const client = createSlackWebClient({ botToken: slack.botToken, apiUrl: slack.apiUrl }, { retries: 0 });
  poster = createSlackPoster(client, logger, {
    maxRateLimitRetries: 3,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
});
afterEach(async () => {
  await slack.close();
});

describe('429 storm', () => {
  it('50 threaded updates, each behind one to three 429s: all delivered, in order, each Retry-After waited', async () => {
    const parent = await poster.post('C1', { text: 'investigating deployment/web' });
    let scripted = 0;
    for (let i = 0; i < UPDATES; i += 1) {
      const storm = 1 + (i % 3);
      scripted += storm;
      slack.failNext(
        'chat.postMessage',
        ...Array.from({ length: storm }, () => ({ rateLimited: true as const, retryAfter: 1 + (i % 2) })),
      );
      await poster.post('C1', { text: `update ${i}` }, parent);
    }
    const texts = slack.messagesIn('C1', parent).map((m) => m.text);
    figures.updates = UPDATES;
    figures.rateLimited = slack.calls('chat.postMessage').filter((c) => c.status === 429).length;
    figures.delivered = texts.length;
    figures.lost = UPDATES - new Set(texts).size;
    figures.outOfOrder = texts.filter((t, i) => t !== `update ${i}`).length;
    figures.waitedSeconds = waits.reduce((n, ms) => n + ms, 0) / 1000;
    expect(texts).toEqual(Array.from({ length: UPDATES }, (_, i) => `update ${i}`));
    expect(figures.rateLimited).toBe(scripted);
    expect(waits.length).toBe(scripted);
  });

  it('an edited status message under the storm ends with the last update', async () => {
    const ts = await poster.post('C1', { text: 'status 0' });
    for (let i = 1; i <= UPDATES; i += 1) {
      slack.failNext('chat.update', { rateLimited: true, retryAfter: 1 });
      await poster.update('C1', ts, { text: `status ${i}` });
    }
    expect(slack.message('C1', ts)?.text).toBe(`status ${UPDATES}`);
    expect(slack.calls('chat.update').map((c) => c.status)).toEqual(
      Array.from({ length: UPDATES }, () => [429, 200]).flat(),
    );
  });
});

afterAll(() => {
  console.log(
    `slack 429 storm: ${figures.updates} threaded updates behind ${figures.rateLimited} 429s: ` +
      `${figures.delivered} delivered, ${figures.lost} lost, ${figures.outOfOrder} out of order, ` +
      `${figures.waitedSeconds}s of Retry-After honoured`,
  );
});
