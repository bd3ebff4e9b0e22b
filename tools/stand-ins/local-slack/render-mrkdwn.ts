// Slack mrkdwn → escaped HTML: code blocks, inline code, bold/italic/strike, links, mentions, dates, quotes, emoji.
import { SafeHtml, markup, joinHtml } from './html.js';
import { slackEmoji } from './slack-emoji.js';

export interface MrkdwnOptions {
  /** A display name for a user id (`<@U…>`), or null to show the id. */
  userName?: (id: string) => string | null;
}

/** Slack's three entities, decoded in one pass (so `&amp;lt;` stays the text `&lt;`). */
export function decodeSlackEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_m, name: string) =>
    name === 'amp' ? '&' : name === 'lt' ? '<' : '>',
  );
}

const SAFE_SCHEMES = /^(https?:|mailto:)/i;

const DATE_PARTS: Record<string, Intl.DateTimeFormatOptions> = {
  date_num: { year: 'numeric', month: '2-digit', day: '2-digit' },
  date: { year: 'numeric', month: 'long', day: 'numeric' },
  date_short: { year: 'numeric', month: 'short', day: 'numeric' },
  date_long: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' },
  date_pretty: { year: 'numeric', month: 'long', day: 'numeric' },
  date_short_pretty: { year: 'numeric', month: 'short', day: 'numeric' },
  date_long_pretty: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' },
  time: { hour: '2-digit', minute: '2-digit', hour12: false, timeZoneName: 'short' },
  time_secs: { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZoneName: 'short' },
};

/** `<!date^epoch^{date_short_pretty} at {time}|fallback>`, shown in UTC (the page has no reader time zone). */
function slackDate(inner: string): string {
  const m = /^!date\^(\d+)\^([^^|]*)(?:\^[^|]*)?(?:\|(.*))?$/.exec(inner);
  if (!m) return inner;
  const at = new Date(Number(m[1]) * 1000);
  if (Number.isNaN(at.getTime())) return m[3] ?? inner;
  return m[2]!.replace(/\{([a-z_]+)\}/g, (whole, token: string) => {
    const parts = DATE_PARTS[token];
    return parts ? at.toLocaleString('en-US', { ...parts, timeZone: 'UTC' }) : whole;
  });
}

function labelOf(inner: string): { target: string; label: string | null } {
  const bar = inner.indexOf('|');
  return bar < 0
    ? { target: inner, label: null }
    : { target: inner.slice(0, bar), label: inner.slice(bar + 1) };
}

/** One `<…>` token: a mention, a channel, a special mention, a date, or a link (only http(s)/mailto). */
function angleToken(inner: string, opts: MrkdwnOptions): SafeHtml {
  const { target, label } = labelOf(inner);
  const text = (t: string): string => decodeSlackEntities(t);
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = label ?? opts.userName?.(id) ?? id;
    return markup`<span class="mk-mention" data-user="${id}">@${text(name)}</span>`;
  }
  if (target.startsWith('#'))
    return markup`<span class="mk-mention">#${text(label ?? target.slice(1))}</span>`;
  if (target.startsWith('!date^')) return markup`<span class="mk-date">${text(slackDate(inner))}</span>`;
  if (target.startsWith('!subteam^'))
    return markup`<span class="mk-mention">@${text((label ?? target.slice(9)).replace(/^@/, ''))}</span>`;
  if (target.startsWith('!'))
    return markup`<span class="mk-mention">@${text(label ?? target.slice(1))}</span>`;
  const url = text(target);
  if (!SAFE_SCHEMES.test(url)) return markup`${text(label ?? target)}`;
  const attrs = markup`href="${url}" target="_blank" rel="noopener noreferrer"`;
  return markup`<a class="mk-link" ${attrs}>${text(label ?? target)}</a>`;
}

// Formatting needs a non-word character (or an edge) outside and a non-space just inside, as in Slack.
const TOKENS =
  /<([^<>\n]+)>|`([^`\n]+)`|(?<![\p{L}\p{N}*])\*(?=\S)([^*\n]*?\S)\*(?![\p{L}\p{N}*])|(?<![\p{L}\p{N}_])_(?=\S)([^_\n]*?\S)_(?![\p{L}\p{N}_])|(?<![\p{L}\p{N}~])~(?=\S)([^~\n]*?\S)~(?![\p{L}\p{N}~])|:([a-z0-9_+-]+):/gu;

/** One line of mrkdwn without code fences. */
export function renderInline(text: string, opts: MrkdwnOptions = {}): SafeHtml {
  const out: SafeHtml[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKENS)) {
    out.push(markup`${decodeSlackEntities(text.slice(last, m.index))}`);
    last = m.index + m[0].length;
    const [, angle, code, bold, italic, strike, emoji] = m;
    if (angle !== undefined) out.push(angleToken(angle, opts));
    else if (code !== undefined) out.push(markup`<code class="mk-code">${decodeSlackEntities(code)}</code>`);
    else if (bold !== undefined) out.push(markup`<b>${renderInline(bold, opts)}</b>`);
    else if (italic !== undefined) out.push(markup`<i>${renderInline(italic, opts)}</i>`);
    else if (strike !== undefined) out.push(markup`<s>${renderInline(strike, opts)}</s>`);
    else {
      out.push(slackEmoji(emoji!) ?? markup`${m[0]}`);
    }
  }
  out.push(markup`${decodeSlackEntities(text.slice(last))}`);
  return joinHtml(out);
}

/** Lines outside code blocks: `>` quotes grouped, other lines joined with breaks. */
function renderLines(text: string, opts: MrkdwnOptions): SafeHtml {
  if (text === '') return new SafeHtml('');
  const out: SafeHtml[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const quote: SafeHtml[] = [];
    while (i < lines.length && /^(&gt;|>)/.test(lines[i]!)) {
      quote.push(renderInline(lines[i]!.replace(/^(&gt;|>) ?/, ''), opts));
      i += 1;
    }
    if (quote.length > 0) {
      out.push(markup`<blockquote class="mk-quote">${joinHtml(quote, '<br>')}</blockquote>`);
      if (i >= lines.length) break;
    }
    out.push(markup`${renderInline(lines[i]!, opts)}${i < lines.length - 1 ? markup`<br>` : ''}`);
  }
  return joinHtml(out);
}

/** A whole mrkdwn text: ``` fences become preformatted blocks whose content is shown literally. */
export function renderMrkdwn(text: string, opts: MrkdwnOptions = {}): SafeHtml {
  const out: SafeHtml[] = [];
  let last = 0;
  for (const m of text.matchAll(/```([\s\S]*?)```/g)) {
    out.push(renderLines(text.slice(last, m.index).replace(/\n$/, ''), opts));
    const body = m[1]!.replace(/^\n/, '').replace(/\n$/, '');
    out.push(markup`<pre class="mk-pre">${decodeSlackEntities(body)}</pre>`);
    last = m.index + m[0].length;
  }
  out.push(renderLines(text.slice(last).replace(/^\n/, ''), opts));
  return joinHtml(out);
}
