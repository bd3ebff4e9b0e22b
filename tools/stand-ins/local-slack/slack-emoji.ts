// The emoji shortcodes kube-autofix uses, drawn as small inline SVGs so no emoji font is needed; others stay text.
import { SafeHtml, markup } from './html.js';

const svg = (body: string): string =>
  `<svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">${body}</svg>`;
const circle = (fill: string): string => svg(`<circle cx="10" cy="10" r="8" fill="${fill}"/>`);
const stroke = 'fill="none" stroke-linecap="round" stroke-linejoin="round"';

/** Trusted constant markup: each glyph and the character it stands for (kept for copy and transcripts). */
const EMOJI: Record<string, { char: string; svg: string }> = {
  white_check_mark: {
    char: '\u2705',
    svg: svg(
      `<rect x="1" y="1" width="18" height="18" rx="4" fill="#3bb143"/><path d="M5 10.5l3.2 3.2L15 7" stroke="#fff" stroke-width="2.4" ${stroke}/>`,
    ),
  },
  heavy_check_mark: {
    char: '\u2714',
    svg: svg(`<path d="M4 10.5l4 4L16 5.5" stroke="#1d1c1d" stroke-width="3" ${stroke}/>`),
  },
  x: {
    char: '\u274c',
    svg: svg(`<path d="M5 5l10 10M15 5L5 15" stroke="#dd2e44" stroke-width="3.2" ${stroke}/>`),
  },
  warning: {
    char: '\u26a0\ufe0f',
    svg: svg(
      `<path d="M10 2L19 18H1z" fill="#ffcc4d" stroke="#c9a100" stroke-width="0.8"/><path d="M10 7.5v5" stroke="#1d1c1d" stroke-width="2" ${stroke}/><circle cx="10" cy="15.2" r="1.1" fill="#1d1c1d"/>`,
    ),
  },
  hourglass: {
    char: '\u231b',
    svg: svg(
      `<path d="M5 2h10v2l-4 6 4 6v2H5v-2l4-6-4-6z" fill="#ffac33" stroke="#8a5a00" stroke-width="1"/>`,
    ),
  },
  hourglass_flowing_sand: {
    char: '\u23f3',
    svg: svg(
      `<path d="M5 2h10v2l-4 6 4 6v2H5v-2l4-6-4-6z" fill="#e1e8ed" stroke="#8a5a00" stroke-width="1"/><path d="M7 4.5h6L10 9zM6.5 17l3.5-4 3.5 4z" fill="#ffac33"/>`,
    ),
  },
  large_green_circle: { char: '\ud83d\udfe2', svg: circle('#3bb143') },
  red_circle: { char: '\ud83d\udd34', svg: circle('#dd2e44') },
  large_yellow_circle: { char: '\ud83d\udfe1', svg: circle('#fdcb58') },
  leftwards_arrow_with_hook: {
    char: '\u21a9\ufe0f',
    svg: svg(
      `<rect x="1" y="1" width="18" height="18" rx="4" fill="#3b88c3"/><path d="M8 6L4.5 9.5 8 13M5 9.5h6.5a3.5 3.5 0 010 7H10" stroke="#fff" stroke-width="2" ${stroke}/>`,
    ),
  },
  mag: {
    char: '\ud83d\udd0d',
    svg: svg(
      `<circle cx="8" cy="8" r="5.5" fill="#bbddf5" stroke="#66757f" stroke-width="2"/><path d="M12 12l5.5 5.5" stroke="#66757f" stroke-width="3" ${stroke}/>`,
    ),
  },
  no_entry: {
    char: '\u26d4',
    svg: svg(
      `<circle cx="10" cy="10" r="8.5" fill="#dd2e44"/><rect x="4.5" y="8.5" width="11" height="3" rx="1" fill="#fff"/>`,
    ),
  },
  no_entry_sign: {
    char: '\ud83d\udeab',
    svg: svg(
      `<circle cx="10" cy="10" r="7.5" fill="none" stroke="#dd2e44" stroke-width="2.6"/><path d="M4.8 4.8l10.4 10.4" stroke="#dd2e44" stroke-width="2.6"/>`,
    ),
  },
  scissors: {
    char: '\u2702\ufe0f',
    svg: svg(
      `<circle cx="5" cy="15" r="2.6" fill="none" stroke="#dd2e44" stroke-width="1.8"/><circle cx="15" cy="15" r="2.6" fill="none" stroke="#dd2e44" stroke-width="1.8"/><path d="M6.5 13L14 2M13.5 13L6 2" stroke="#66757f" stroke-width="1.8" ${stroke}/>`,
    ),
  },
};

/** The glyph for `name` (without colons), or null when this local Slack does not draw it. */
export function slackEmoji(name: string): SafeHtml | null {
  const e = EMOJI[name];
  if (!e) return null;
  const label = markup`role="img" aria-label=":${name}:" title=":${name}:"`;
  return markup`<span class="mk-emoji" ${label}>${new SafeHtml(e.svg)}<span class="mk-emoji-char">${e.char}</span></span>`;
}

/** Plain text (headers, buttons with `emoji: true`) with known `:shortcodes:` drawn. */
export function plainWithEmoji(text: string): SafeHtml {
  const out: SafeHtml[] = [];
  let last = 0;
  for (const m of text.matchAll(/:([a-z0-9_+-]+):/g)) {
    const glyph = slackEmoji(m[1]!);
    if (!glyph) continue;
    out.push(markup`${text.slice(last, m.index)}`, glyph);
    last = m.index + m[0].length;
  }
  out.push(markup`${text.slice(last)}`);
  return markup`${out}`;
}
