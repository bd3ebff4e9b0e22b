// Small Block Kit constructors that apply Slack's limits, and the message shape every builder returns.
import type { types } from '@slack/bolt';
import { describeTarget, type Target, type TargetRef } from '../../domain/index.js';
import {
  SLACK_LIMITS,
  blocksTextLength,
  escapeMrkdwn,
  truncateMrkdwn,
  truncateText,
} from '../slack-limits.js';

export type KnownBlock = types.KnownBlock;
export type SectionBlock = types.SectionBlock;
export type Button = types.Button;

/** What `chat.postMessage` / `chat.update` / `respond` take: blocks plus the plain-text fallback. */
export interface SlackMessage {
  /** Fallback for notifications and clients without blocks; escaped mrkdwn, within 4,000 characters. */
  text: string;
  blocks: KnownBlock[];
}

export function header(text: string): types.HeaderBlock {
  return {
    type: 'header',
    text: { type: 'plain_text', text: truncateText(text, SLACK_LIMITS.headerText), emoji: true },
  };
}

/** A section of already-escaped mrkdwn, truncated without opening a fence. */
export function section(mrkdwn: string, blockId?: string): SectionBlock {
  const block: SectionBlock = {
    type: 'section',
    text: { type: 'mrkdwn', text: truncateMrkdwn(mrkdwn, SLACK_LIMITS.sectionText) },
  };
  if (blockId) block.block_id = blockId.slice(0, SLACK_LIMITS.blockId);
  return block;
}

/**
 * A section of untrusted text (the model's words) as plain text: no mrkdwn, links, mentions or emoji
 * codes (and &, <, > escaped all the same), each value on one line, so it cannot pass for the bot's own checks, diff or buttons' state.
 */
export function plainSection(lines: readonly string[], blockId?: string): SectionBlock {
  const text = lines.map((l) => escapeMrkdwn(l.replace(/\s+/g, ' ').trim())).join('\n');
  const block: SectionBlock = {
    type: 'section',
    text: { type: 'plain_text', text: truncateText(text, SLACK_LIMITS.sectionText), emoji: false },
  };
  if (blockId) block.block_id = blockId.slice(0, SLACK_LIMITS.blockId);
  return block;
}

/** A context block of already-escaped mrkdwn elements (at most 10; empty ones dropped). */
export function context(...mrkdwn: string[]): types.ContextBlock {
  const elements = mrkdwn
    .filter((t) => t.length > 0)
    .slice(0, SLACK_LIMITS.contextElements)
    .map((t) => ({ type: 'mrkdwn' as const, text: truncateMrkdwn(t, SLACK_LIMITS.sectionText) }));
  return { type: 'context', elements };
}

export function divider(): types.DividerBlock {
  return { type: 'divider' };
}

export interface ButtonSpec {
  actionId: string;
  text: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

/** A button; its value carries an id the bot must get back whole, so an over-long value is an error. */
export function button(spec: ButtonSpec): Button {
  if (spec.value.length === 0 || spec.value.length > SLACK_LIMITS.buttonValue) {
    throw new RangeError(
      `button value must be 1..${SLACK_LIMITS.buttonValue} characters, got ${spec.value.length}`,
    );
  }
  if (spec.actionId.length > SLACK_LIMITS.actionId)
    throw new RangeError('action_id longer than 255 characters');
  const b: Button = {
    type: 'button',
    action_id: spec.actionId,
    text: { type: 'plain_text', text: truncateText(spec.text, SLACK_LIMITS.buttonText), emoji: true },
    value: spec.value,
  };
  if (spec.style) b.style = spec.style;
  if (spec.confirm) {
    const plain = (text: string, max: number) => ({
      type: 'plain_text' as const,
      text: truncateText(text, max),
    });
    b.confirm = {
      title: plain(spec.confirm.title, 100),
      text: plain(spec.confirm.text, 300),
      confirm: plain(spec.confirm.confirm, 30),
      deny: plain(spec.confirm.deny, 30),
    };
  }
  return b;
}

export function actions(blockId: string, ...buttons: Button[]): types.ActionsBlock {
  return {
    type: 'actions',
    block_id: blockId.slice(0, SLACK_LIMITS.blockId),
    elements: buttons.slice(0, SLACK_LIMITS.actionsElements),
  };
}

/** `deployment/web` in `shop`, as mrkdwn. */
export function targetMrkdwn(t: TargetRef): string {
  return `\`${escapeMrkdwn(`${t.kind.toLowerCase()}/${t.name}`)}\` in \`${escapeMrkdwn(t.namespace)}\``;
}

/** deployment/web in shop, as plain text (headers). */
export function targetPlain(t: Target): string {
  return describeTarget(t);
}

/** deployment/web in shop, escaped for fallback text. */
export function targetText(t: TargetRef): string {
  return escapeMrkdwn(describeTarget(t));
}

/**
 * Finishes a message: the fallback (already-escaped mrkdwn, so mentions stay mentions) bounded, and at most
 * 50 blocks (the last block, e.g. buttons or footer, kept).
 */
export function message(fallback: string, blocks: KnownBlock[]): SlackMessage {
  const max = SLACK_LIMITS.blocksPerMessage;
  const bounded = blocks.length <= max ? blocks : [...blocks.slice(0, max - 1), blocks[blocks.length - 1]!];
  return { text: truncateMrkdwn(fallback, SLACK_LIMITS.messageText), blocks: withinTextBudget(bounded) };
}

/**
 * Over Slack's total text budget, the largest sections go first (diff and log chunks), never the first
 * or last block; approvable proposals are checked to fit before they get here.
 */
function withinTextBudget(blocks: KnownBlock[]): KnownBlock[] {
  const out = [...blocks];
  const size = (b: KnownBlock) => blocksTextLength([b]);
  while (out.length > 2 && blocksTextLength(out) > SLACK_LIMITS.blocksText) {
    const middle = out.slice(1, -1);
    const largest = middle.reduce((a, b) => (size(b) > size(a) ? b : a));
    out.splice(out.indexOf(largest), 1);
  }
  return out;
}

export { confidenceLabel } from '../../domain/index.js';
