// What Slack does with a message posted to a response_url (or returned in an ack): ephemeral, new, replace, delete.
import { contentError, findMessage, nextTs, type Json, type Workspace } from './slack-web-api-methods.js';

/** Where a response_url was issued: the user who acted, the channel, and the message clicked (if any). */
export interface ResponseContext {
  channel: string;
  user: string;
  /** The message whose button was clicked; replace_original / delete_original act on it. */
  messageTs?: string | null;
  /** The thread it sits in, so ephemeral answers appear there. */
  threadTs?: string | null;
}

const flag = (v: unknown): boolean => v === true || v === 'true';

/**
 * Applies one response to the workspace as Slack shows it; returns Slack's error body, or null on success.
 * Without `response_type: in_channel` a new message is ephemeral: only the acting user sees it.
 */
export function applyResponse(state: Workspace, ctx: ResponseContext, body: Json): Json | null {
  const original = ctx.messageTs ? findMessage(state, ctx.channel, ctx.messageTs) : undefined;
  if (flag(body.delete_original)) {
    if (!original) return { error: 'message_not_found' };
    state.messages.splice(state.messages.indexOf(original), 1);
    return null;
  }
  const problem = contentError(body, !flag(body.replace_original));
  if (problem) return problem;
  const text = typeof body.text === 'string' ? body.text : '';
  const blocks = Array.isArray(body.blocks) ? body.blocks : [];
  if (flag(body.replace_original)) {
    if (!original) return { error: 'message_not_found' };
    original.text = text;
    original.blocks = blocks;
    original.versions.push({ text, blocks });
    return null;
  }
  const threadTs = ctx.threadTs ?? null;
  if (body.response_type === 'in_channel') {
    const ts = nextTs(state);
    state.messages.push({ channel: ctx.channel, ts, threadTs, text, blocks, versions: [{ text, blocks }] });
    return null;
  }
  state.ephemerals.push({ channel: ctx.channel, user: ctx.user, ts: nextTs(state), threadTs, text, blocks });
  return null;
}
