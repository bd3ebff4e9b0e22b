// Visible-text rule: every character a change writes must show as itself, and whole, in the diff, the flags and the terminal (judged by Unicode property).
import { diffPaths, formatPath, valueAt, type JsonPath } from './diff-paths.js';
import { isRecord } from '../domain/json-access.js';
import { MAX_FLAGGED_VALUE } from './behaviour-changes.js';
import type { PolicyInput } from './policy-rule.js';

/**
 * Code points that show as nothing, as something else, or drive a terminal, by Unicode property rather than
 * by list: controls, format characters (zero-width, bidi, tags), unassigned, private-use and surrogate code
 * points, default-ignorable ones, variation selectors, noncharacters, and every space or line break other
 * than the plain space. Tab and newline stay allowed (YAML shows them for what they are).
 */
const HIDDEN =
  /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Zs}\p{Default_Ignorable_Code_Point}\p{Variation_Selector}\p{Bidi_Control}\p{Noncharacter_Code_Point}\p{White_Space}]/u;
const ALLOWED = new Set(['\t', '\n', ' ']);

/** A combining mark on an ASCII character draws over it: `/app/server` with a stroke is another path. */
const MARK_ON_ASCII = /[\x21-\x7e]\p{M}/u;

/** Scripts whose letters pass for Latin ones (а for a, ο for o, Ꭺ for A): mixed with Latin they imitate a word. */
const LOOKALIKE_SCRIPTS = ['Cyrillic', 'Greek', 'Armenian', 'Cherokee', 'Coptic', 'Lisu'].map(
  (name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const,
);
const LATIN = /\p{Script=Latin}/u;

const codePoint = (ch: string): string =>
  `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** The text on one line, every character that would not show as itself (newlines too) written as `<U+000A>`. */
export function revealHidden(text: string): string {
  let out = '';
  for (const ch of text) out += ch !== '\t' && ch !== ' ' && HIDDEN.test(ch) ? `<${codePoint(ch)}>` : ch;
  return out;
}

/** Why `text` is not what it looks like, naming the code points; null when every character shows as itself. */
export function deceptiveText(text: string): string | null {
  const hidden = [...new Set([...text].filter((ch) => !ALLOWED.has(ch) && HIDDEN.test(ch)))];
  if (hidden.length > 0)
    return `the character${hidden.length > 1 ? 's' : ''} ${hidden.map(codePoint).join(', ')}, which show${hidden.length > 1 ? '' : 's'} as nothing, as a space or reorder${hidden.length > 1 ? '' : 's'} text`;
  const mark = MARK_ON_ASCII.exec(text);
  if (mark) return `${codePoint([...mark[0]][1]!)}, a combining mark drawn over "${mark[0][0]}"`;
  // Compatibility forms (fullwidth letters, ligatures, superscripts, the Kelvin sign) stand in for plain ASCII.
  const standIns = [
    ...new Set([...text].filter((ch) => ch > '\x7f' && /^[\x20-\x7e]+$/.test(ch.normalize('NFKC')))),
  ];
  if (standIns.length > 0)
    return `${standIns.map((ch) => `${codePoint(ch)} (looks like "${ch.normalize('NFKC')}")`).join(', ')}`;
  if (LATIN.test(text)) {
    for (const [name, re] of LOOKALIKE_SCRIPTS) {
      const found = [...new Set([...text].filter((ch) => re.test(ch)))];
      if (found.length > 0)
        return `${name} letters ${found.map(codePoint).join(', ')} among Latin ones, which can imitate a different word`;
    }
  }
  return null;
}

/** Field names (keys) of a Kubernetes object are ASCII: anything else in a key is a different field. */
function deceptiveKey(key: string): string | null {
  const other = [...key].find((ch) => ch < '\x20' || ch > '\x7e');
  return other === undefined ? null : `${codePoint(other)} in a field name, which holds ASCII only`;
}

/** Every string inside `value`, and separately every key, without recursion. */
function texts(value: unknown): { values: string[]; keys: string[] } {
  const values: string[] = [];
  const keys: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const cur = stack.pop();
    if (typeof cur === 'string') values.push(cur);
    else if (Array.isArray(cur)) stack.push(...(cur as unknown[]));
    else if (isRecord(cur)) {
      keys.push(...Object.keys(cur));
      stack.push(...Object.values(cur));
    }
  }
  return { values, keys };
}

const where = (path: JsonPath): string => formatPath(path) || '(the object)';

/** One sentence per changed place (or op path) that holds text an approver would misread, with the code points named. */
export function visibleText({ live, proposed, ops }: PolicyInput): string[] {
  const out: string[] = [];
  for (const op of ops ?? []) {
    const found = deceptiveText(op.path) ?? deceptiveKey(op.path);
    if (found) out.push(`the operation path ${JSON.stringify(op.path)} holds ${found}`);
  }
  for (const path of diffPaths(live, proposed)) {
    const { values, keys } = texts(valueAt(proposed, path));
    const found =
      [...path.map(String), ...keys].map(deceptiveKey).find((c) => c !== null) ??
      values.map(deceptiveText).find((c) => c !== null);
    if (found) out.push(`${where(path)} would hold ${found}: an approver could not read what is sent`);
    const long = values.find((t) => t.length > MAX_FLAGGED_VALUE);
    if (long !== undefined)
      out.push(
        `${where(path)} would hold a value of ${long.length} characters, longer than a diff line shows whole (at most ${MAX_FLAGGED_VALUE})`,
      );
  }
  return out;
}
