// Slack's Block Kit limits and the text helpers that keep messages within them (escape, truncate, code blocks).

/** Limits Slack enforces on messages (https://docs.slack.dev/reference/block-kit). */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  url: 3000,
  /** Slack truncates `text` over 40,000 and recommends at most 4,000; we keep fallbacks under 4,000. */
  messageText: 4000,
  /**
   * Text across all blocks: Slack answers `msg_blocks_too_long` near 12,000 characters (undocumented,
   * slackapi/bolt-js#2509), so messages stay under this.
   */
  blocksText: 11_000,
} as const;

/** Characters of every `text` string in the blocks (section, context and header text, button labels). */
export function blocksTextLength(blocks: readonly unknown[]): number {
  let total = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== 'object' || v === null) return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'text' && typeof x === 'string') total += x.length;
      else walk(x);
    }
  };
  walk(blocks);
  return total;
}

const ELLIPSIS = '…';
const FENCE = '```';

/** Escapes the three characters Slack's mrkdwn treats as control characters (mentions, links, entities). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Decodes Slack's `&amp;`, `&lt;`, `&gt;` in one pass (so `&amp;lt;` stays `&lt;`). */
export function unescapeSlackText(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_m, name: string) =>
    name === 'amp' ? '&' : name === 'lt' ? '<' : '>',
  );
}

/** Cuts at `max` UTF-16 units without splitting a surrogate pair. */
function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // high surrogate whose partner would be cut off
  return text.slice(0, end);
}

/** Plain text (header, button, fallback) cut to `max` with an ellipsis when it was longer. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  return cutAt(text, max - ELLIPSIS.length) + ELLIPSIS;
}

/**
 * Already-escaped mrkdwn cut to `max`: never ends inside an `&amp;`-style entity or a `<…>` token,
 * never leaves a code fence open, and ends with an ellipsis when it was cut.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const closing = `${ELLIPSIS}\n${FENCE}`;
  let cut = cutAt(text, max - closing.length);
  cut = cut.replace(/&[a-z]{0,4}$/, '').replace(/<[^>]*$/, '');
  const open = (cut.match(/```/g) ?? []).length % 2 === 1;
  return open ? `${cut}${closing}` : `${cut}${ELLIPSIS}`;
}

/** mrkdwn for user-supplied text: escaped, then truncated safely. */
export function safeMrkdwn(text: string, max: number = SLACK_LIMITS.sectionText): string {
  return truncateMrkdwn(escapeMrkdwn(text), max);
}

/** Untrusted text as inline code: one line, no backtick to close it early, escaped, at most `max` characters. */
export function inlineCode(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').replace(/`/g, "'").trim();
  return `\`${escapeMrkdwn(truncateText(line, max))}\``;
}

/** A user mention `<@U…>` for a real id; anything else is shown as escaped text, never as a ping. */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]{2,20}$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/** A mrkdwn link for an http(s) URL; anything else is shown as escaped text. */
export function link(url: string, label: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return escapeMrkdwn(url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return escapeMrkdwn(url);
  const href = parsed.href.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
  if (href.length > SLACK_LIMITS.url) return escapeMrkdwn(label);
  return `<${href}|${escapeMrkdwn(label.replace(/[|<>]/g, ' '))}>`;
}

/** Slack renders `<!date^…>` in each reader's time zone; the ISO text is the fallback. */
export function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  const fallback = new Date(ms).toISOString().replace('.000Z', 'Z');
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}

/** Raw text as code: escaped, inner ``` broken with a zero-width space so it cannot close the fence. */
function codeLines(raw: string): string[] {
  const body = escapeMrkdwn(raw.replace(/\r\n?/g, '\n').replace(/\n+$/, ''));
  return body.length === 0 ? [] : body.replace(/```/g, '``\u200b`').split('\n');
}

/** A line cut into pieces of at most `max`, never inside an `&amp;`-style entity. */
function pieces(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    let cut = cutAt(rest, max).length;
    const entity = /&[a-z]{0,4}$/.exec(rest.slice(0, cut));
    if (entity) cut -= entity[0].length;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  return [...out, rest];
}

/**
 * Raw text as fenced code blocks of at most `maxChars` each, with nothing left out: long lines are
 * split across blocks rather than cut. For text an approver must read whole (new commands).
 */
export function fullCodeBlocks(raw: string, maxChars: number = SLACK_LIMITS.sectionText): string[] {
  const budget = maxChars - 2 * FENCE.length - 2;
  const blocks: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of codeLines(raw).flatMap((l) => pieces(l, budget))) {
    if (current.length > 0 && size + 1 + line.length > budget) {
      blocks.push(current.join('\n'));
      current = [];
      size = 0;
    }
    size += (current.length > 0 ? 1 : 0) + line.length;
    current.push(line);
  }
  if (current.length > 0) blocks.push(current.join('\n'));
  return blocks.map((b) => `${FENCE}\n${b}\n${FENCE}`);
}

/** The longest one bullet of a list may be; longer items are cut. */
export const BULLET_ITEM_MAX = 500;

/** A bulleted list within `max` characters, ending with "… and N more" when items did not fit. */
export function bulletList(items: readonly string[], max: number = SLACK_LIMITS.sectionText): string {
  const out: string[] = [];
  let size = 0;
  for (const [i, item] of items.entries()) {
    const line = `• ${safeMrkdwn(item, Math.min(max, BULLET_ITEM_MAX))}`;
    const reserve = i < items.length - 1 ? 24 : 0; // room for the "… and N more" line
    if (size + line.length + 1 + reserve > max) {
      out.push(`${ELLIPSIS} and ${items.length - i} more`);
      break;
    }
    out.push(line);
    size += line.length + 1;
  }
  return out.join('\n');
}
