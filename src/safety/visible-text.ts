// Visible-text rule: every character a change writes must show as itself, and whole, in the diff, the flags and the terminal.
import { diffPaths, formatPath, valueAt, type JsonPath } from './diff-paths.js';
import { isRecord } from '../domain/json-access.js';
import { MAX_FLAGGED_VALUE } from './behaviour-changes.js';
import type { PolicyInput } from './policy-rule.js';

/**
 * Control, format (zero-width, bidi overrides, tags), line/paragraph separator and private-use characters:
 * they render as nothing, reorder text or drive a terminal, so an approver would not read what is sent.
 * Tab and newline stay allowed (YAML shows them for what they are).
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/u;
const ALLOWED = new Set(['\t', '\n']);

const codePoint = (ch: string): string =>
  `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** The text on one line, every character that would not show as itself (newlines too) written as `<U+000A>`. */
export function revealHidden(text: string): string {
  let out = '';
  for (const ch of text) out += ch !== '\t' && HIDDEN.test(ch) ? `<${codePoint(ch)}>` : ch;
  return out;
}

function hiddenIn(text: string): string | null {
  for (const ch of text) {
    if (!ALLOWED.has(ch) && HIDDEN.test(ch)) return codePoint(ch);
  }
  return null;
}

/** Every key and string inside `value`, without recursion. */
function texts(value: unknown): string[] {
  const out: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const cur = stack.pop();
    if (typeof cur === 'string') out.push(cur);
    else if (Array.isArray(cur)) stack.push(...(cur as unknown[]));
    else if (isRecord(cur)) {
      out.push(...Object.keys(cur));
      stack.push(...Object.values(cur));
    }
  }
  return out;
}

const where = (path: JsonPath): string => formatPath(path) || '(the object)';

/** One sentence per changed place (or op path) that holds a character an approver could not see. */
export function visibleText({ live, proposed, ops }: PolicyInput): string[] {
  const out: string[] = [];
  for (const op of ops ?? []) {
    const found = hiddenIn(op.path);
    if (found)
      out.push(`the operation path ${JSON.stringify(op.path)} holds the invisible character ${found}`);
  }
  for (const path of diffPaths(live, proposed)) {
    const found = [...path.map(String), ...texts(valueAt(proposed, path))]
      .map(hiddenIn)
      .find((c) => c !== null);
    if (found)
      out.push(
        `${where(path)} would hold the character ${found}, which shows as nothing or reorders text: an approver could not read what is sent`,
      );
    const long = texts(valueAt(proposed, path)).find((t) => t.length > MAX_FLAGGED_VALUE);
    if (long !== undefined)
      out.push(
        `${where(path)} would hold a value of ${long.length} characters, longer than a diff line shows whole (at most ${MAX_FLAGGED_VALUE})`,
      );
  }
  return out;
}
