// What a Slack client does when a user acts: sends a signed slash command or button click, then shows the answer.
import { randomBytes } from 'node:crypto';
import {
  blockActionPayload,
  sendBlockAction,
  sendSlashCommand,
  type BotReply,
} from './slack-signed-request.js';
import type { SlackStandIn } from './slack-stand-in.js';
import type { Json } from './slack-web-api-methods.js';
import type { ActionResult } from './web/view-types.js';

/** Where the bot listens and the secret Slack signs with. */
export interface BotEndpoint {
  url: string;
  signingSecret: string;
}

export interface SlackUser {
  id: string;
  name: string;
}

export interface SlackChannel {
  id: string;
  name: string;
}

/** What the user saw happen: the bot's HTTP answer, or Slack's error words (also shown to the user). */
export type UserActionResult = ActionResult;

const NOTICE = / failed with the error "[a-z_0-9]+"$/;

/** True for Slack's own notice that an app failed to answer (shown by Slackbot, not the app). */
export const isSlackNotice = (text: string): boolean => NOTICE.test(text);

const newId = (kind: string): string => `${kind}-${randomBytes(5).toString('hex')}`;

/** Slack's ephemeral "failed with the error" note for a command the app did not answer properly. */
function failure(
  slack: SlackStandIn,
  id: string,
  what: string,
  e: unknown,
  reply: BotReply | null,
): UserActionResult {
  const code = reply
    ? `http_${reply.status}`
    : (e as { name?: string }).name === 'TimeoutError'
      ? 'operation_timeout'
      : 'dispatch_failed';
  const error = `${what} failed with the error "${code}"`;
  slack.respond(id, { text: error });
  return { status: reply?.status ?? null, ms: reply?.ms ?? null, error };
}

/** `/command text` typed by `user` in `channel`: signed as Slack signs it; an ack body is shown to that user. */
export async function sendUserCommand(
  slack: SlackStandIn,
  bot: BotEndpoint,
  input: { user: SlackUser; channel: SlackChannel; command: string; text: string },
): Promise<UserActionResult> {
  const id = newId('cmd');
  const responseUrl = slack.responseUrl(id, { channel: input.channel.id, user: input.user.id });
  let reply: BotReply | null = null;
  try {
    reply = await sendSlashCommand(bot.url, bot.signingSecret, {
      command: input.command,
      text: input.text,
      user_id: input.user.id,
      user_name: input.user.name,
      channel_id: input.channel.id,
      channel_name: input.channel.name,
      response_url: responseUrl,
    });
  } catch (e) {
    return failure(slack, id, input.command, e, null);
  }
  if (reply.status !== 200) return failure(slack, id, input.command, null, reply);
  // Slack shows an ack body as a response: a JSON message, or plain text.
  const body: Json | null =
    typeof reply.json === 'object' && reply.json !== null
      ? (reply.json as Json)
      : reply.body.trim()
        ? { text: reply.body }
        : null;
  if (body && (body.text !== undefined || body.blocks !== undefined)) slack.respond(id, body);
  return { status: reply.status, ms: reply.ms, error: null };
}

export interface ButtonClick {
  user: SlackUser;
  channel: SlackChannel;
  messageTs: string;
  actionId: string;
  blockId: string;
  value: string;
  buttonText: string;
}

/** A button click on a stored message, as the block_actions payload Slack sends (message included). */
export async function sendUserClick(
  slack: SlackStandIn,
  bot: BotEndpoint,
  click: ButtonClick,
): Promise<UserActionResult> {
  const message = slack.message(click.channel.id, click.messageTs);
  if (!message) return { status: null, ms: null, error: 'message_not_found' };
  const id = newId('click');
  const responseUrl = slack.responseUrl(id, {
    channel: click.channel.id,
    user: click.user.id,
    messageTs: message.ts,
    threadTs: message.threadTs,
  });
  const payload = blockActionPayload({
    actionId: click.actionId,
    value: click.value,
    userId: click.user.id,
    userName: click.user.name,
    channelId: click.channel.id,
    messageTs: message.ts,
    threadTs: message.threadTs ?? undefined,
    responseUrl,
    blockId: click.blockId,
    buttonText: click.buttonText,
    message: { text: message.text, blocks: message.blocks },
  });
  try {
    const reply = await sendBlockAction(bot.url, bot.signingSecret, payload);
    if (reply.status !== 200) return failure(slack, id, 'The action', null, reply);
    return { status: reply.status, ms: reply.ms, error: null };
  } catch (e) {
    return failure(slack, id, 'The action', e, null);
  }
}
