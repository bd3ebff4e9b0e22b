// One listener for every button: a click reaches the handler of its action id, and only that one.
import { App, LogLevel, type Receiver } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { actionIdOf, routeActions, type ActionHandler } from '../../../src/bot/action-router.js';

const receiver: Receiver = {
  init: () => undefined,
  start: async () => undefined,
  stop: async () => undefined,
};
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.INFO,
  setName: () => undefined,
};

function app(): App {
  return new App({
    token: 'xoxb-1',
    botId: 'B1',
    botUserId: 'U0BOT',
    receiver,
    logger: quiet,
    convoStore: false,
  });
}

const click = (actionId: string) => ({
  type: 'block_actions',
  team: { id: 'T1', domain: 't' },
  user: { id: 'U1', name: 'u' },
  channel: { id: 'C1', name: 'c' },
  api_app_id: 'A1',
  token: 'v',
  trigger_id: '1.2',
  response_url: 'http://127.0.0.1:9/unused',
  container: { type: 'message', message_ts: '1.1', channel_id: 'C1', is_ephemeral: false },
  actions: [
    {
      type: 'button',
      action_id: actionId,
      block_id: 'b',
      value: 'v',
      action_ts: '1.3',
      text: { type: 'plain_text', text: 'x' },
    },
  ],
});

describe('routeActions', () => {
  it('sends each click to its own handler, once', async () => {
    const a = app();
    const calls: string[] = [];
    const handler =
      (name: string): ActionHandler =>
      async ({ ack }) => {
        await ack();
        calls.push(name);
      };
    routeActions(
      a,
      new Map([
        ['autofix_approve', handler('approve')],
        ['autofix_reject', handler('reject')],
        ['feedback.up', handler('up')],
      ]),
    );
    for (const id of ['autofix_reject', 'feedback.up', 'autofix_approve'])
      await a.processEvent({ body: click(id), ack: async () => undefined });
    expect(calls).toEqual(['reject', 'up', 'approve']);
  });

  it('matches the ids exactly: no prefix, no regular-expression meaning in an id', async () => {
    const a = app();
    const calls: string[] = [];
    routeActions(
      a,
      new Map<string, ActionHandler>([
        [
          'feedback.up',
          async ({ ack }) => {
            await ack();
            calls.push('up');
          },
        ],
      ]),
    );
    for (const id of ['feedbackXup', 'feedback.up.more', 'xfeedback.up'])
      await a.processEvent({ body: click(id), ack: async () => undefined });
    expect(calls).toEqual([]);
  });

  it('reads the action id of a button, and none from an interaction without one', () => {
    expect(actionIdOf(click('autofix_approve').actions[0] as never)).toBe('autofix_approve');
    expect(actionIdOf({ type: 'dialog_submission' } as never)).toBeUndefined();
  });
});
