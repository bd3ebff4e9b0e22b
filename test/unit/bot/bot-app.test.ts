// The bot picks its receiver from the config: HTTP with a signing secret, Socket Mode when SLACK_APP_TOKEN is set.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import type { ProposalStore } from '../../../src/workflow/proposal-store.js';
import { createBotApp } from '../../../src/bot/bot-app.js';
import { NoopTracker } from '../../../src/tracking/no-op-tracker.js';

function bot(env: Record<string, string>) {
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-1',
    AUTOFIX_NAMESPACES: 'shop',
    AUTOFIX_APPROVERS: 'U1',
    ...env,
  });
  return createBotApp({
    config,
    directory: { snapshot: async () => ({ now: 0, clusters: new Map() }) },
    producer: {
      addInvestigation: async () => ({ kind: 'already_running', running: null }),
      addApply: async () => 'a',
      addRollback: async () => 'r',
      addDecision: async () => 'd',
      addTriage: async () => 't',
      addResolve: async () => 'v',
    },
    store: {} as ProposalStore,
    redis: { ping: async () => 'PONG' },
    logger: createLogger('silent'),
    metrics: createMetrics({ defaults: false }),
    tracker: new NoopTracker(),
    // Known ids: constructing the app makes no Slack call.
    identity: { botId: 'B1', botUserId: 'U0BOT', teamId: 'T0TEAM' },
    port: 0,
  });
}

describe('createBotApp', () => {
  it('uses the HTTP receiver when only a signing secret is set', () => {
    expect(bot({ SLACK_SIGNING_SECRET: 's' }).mode).toBe('http');
  });

  it('uses Socket Mode when SLACK_APP_TOKEN is set (no signing secret needed)', () => {
    expect(bot({ SLACK_APP_TOKEN: 'xapp-1-A1-1-abc' }).mode).toBe('socket');
  });

  it('keeps no conversation store: no handler reads one, and Bolt’s costs every request a lookup', async () => {
    const { app } = bot({ SLACK_SIGNING_SECRET: 's' });
    const seen: boolean[] = [];
    app.use(async ({ context, next }) => {
      seen.push('updateConversation' in context || 'conversation' in context);
      await next();
    });
    const acks: unknown[] = [];
    await app.processEvent({
      body: {
        command: '/autofix',
        text: 'help',
        channel_id: 'C1',
        team_id: 'T1',
        user_id: 'U1',
        response_url: 'http://127.0.0.1:9/unused',
        trigger_id: '1.2',
      },
      ack: async (answer) => {
        acks.push(answer);
      },
    });
    expect(seen).toEqual([false]);
    // The command itself still ran (its help went in the ack).
    expect(acks).toHaveLength(1);
  });
});
