// zod schemas of Slack's inbound payloads: what the stand-in sends (as Slack does) parses; junk does not.
import { describe, expect, it } from 'vitest';
import {
  BlockActionsPayload,
  SlashCommandBody,
  parseAutofixClick,
} from '../../../src/slack/slack-payloads.js';
import {
  blockActionPayload,
  slashCommandFields,
} from '../../../tools/stand-ins/local-slack/slack-signed-request.js';

const click = {
  actionId: 'autofix_approve',
  value: 'prop_1',
  userId: 'U0ALICE',
  channelId: 'C9',
  messageTs: '1700000000.000100',
  threadTs: '1700000000.000001',
  responseUrl: 'https://hooks.slack.com/actions/T0/1/abc',
};

describe('SlashCommandBody', () => {
  it('parses the fields Slack sends and defaults missing text to empty', () => {
    const fields = slashCommandFields({
      text: 'deployment/web',
      response_url: 'https://hooks.slack.com/commands/T0/1/x',
    });
    expect(SlashCommandBody.parse(fields)).toMatchObject({
      command: '/autofix',
      text: 'deployment/web',
      user_id: 'U0STANDIN',
    });
    const { text: _text, ...noText } = fields;
    expect(SlashCommandBody.parse(noText).text).toBe('');
  });

  it('rejects a body without a user, channel or usable response_url', () => {
    const fields = slashCommandFields({ text: 'x', response_url: 'https://hooks.slack.com/commands/x' });
    expect(SlashCommandBody.safeParse({ ...fields, user_id: '' }).success).toBe(false);
    expect(SlashCommandBody.safeParse({ ...fields, channel_id: undefined }).success).toBe(false);
    expect(SlashCommandBody.safeParse({ ...fields, response_url: 'javascript:alert(1)' }).success).toBe(
      false,
    );
    expect(SlashCommandBody.safeParse({ ...fields, command: 'autofix' }).success).toBe(false);
  });
});

describe('parseAutofixClick', () => {
  it('extracts who clicked which of our buttons on which message', () => {
    const body = blockActionPayload(click);
    expect(BlockActionsPayload.safeParse(body).success).toBe(true);
    expect(parseAutofixClick(body)).toEqual({
      ok: true,
      click: {
        actionId: 'autofix_approve',
        proposalId: 'prop_1',
        userId: 'U0ALICE',
        teamId: 'T0STANDIN',
        channelId: 'C9',
        messageTs: '1700000000.000100',
        threadTs: '1700000000.000001',
        responseUrl: click.responseUrl,
      },
    });
  });

  it.each([
    ['an unknown action', { ...click, actionId: 'autofix_delete' }, /action_id/],
    ['an empty value', { ...click, value: '' }, /value/],
    ['a value over 2000 characters', { ...click, value: 'p'.repeat(2001) }, /value/],
  ])('refuses %s', (_name, spec, error) => {
    const result = parseAutofixClick(blockActionPayload(spec));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });

  it('refuses payloads that are not block_actions', () => {
    expect(parseAutofixClick({ ...blockActionPayload(click), type: 'view_submission' }).ok).toBe(false);
    expect(parseAutofixClick({ ...blockActionPayload(click), actions: [] }).ok).toBe(false);
    expect(parseAutofixClick('payload').ok).toBe(false);
  });
});
