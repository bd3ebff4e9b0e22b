// Private key material: PEM/OpenSSH/PGP blocks (whole, or cut at either end by a log tail), PuTTY files, JWK private members.
import type { Range } from './mask-ranges.js';

// `-----BEGIN RSA PRIVATE KEY-----`, `-----BEGIN PGP PRIVATE KEY BLOCK-----`, `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`.
const MARK = String.raw`-{4,5} ?(BEGIN|END) ([A-Z0-9 ]*?)PRIVATE KEY( BLOCK)? ?-{4,5}`;
const MARKER = new RegExp(MARK, 'g');

// A line break in the text, or one escaped once or more inside a JSON string (`\n`, `\\n`).
const BREAK = /\r?\n|(?:\\+r)?\\+n/g;

// One line of key body: Base64 alone, or the Base64 at the end of a log-prefixed line; armour headers.
const BODY_ALONE = /^[A-Za-z0-9+/=]{4,}$/;
const BODY_PREFIXED = /^(.*\s)([A-Za-z0-9+/=]{16,})$/;
const ARMOUR_HEADER = /^(?:Proc-Type|DEK-Info|Comment|Version|Hash|Charset|Subject):/;

interface Line {
  start: number;
  end: number;
  text: string;
}

function lines(text: string): Line[] {
  const out: Line[] = [];
  let at = 0;
  for (const m of text.matchAll(BREAK)) {
    out.push({ start: at, end: m.index, text: text.slice(at, m.index) });
    at = m.index + m[0].length;
  }
  out.push({ start: at, end: text.length, text: text.slice(at) });
  return out;
}

/** The part of a line that is key body, or null when the line is not body. */
function bodyOf(line: Line): Range | null {
  const t = line.text.trimEnd();
  if (t.trim() === '' || ARMOUR_HEADER.test(t.trim())) return [line.start, line.start + t.length];
  if (BODY_ALONE.test(t.trim())) return [line.start, line.start + t.length];
  const m = BODY_PREFIXED.exec(t);
  return m ? [line.start + m[1]!.length, line.start + t.length] : null;
}

/** Ranges of private key blocks: BEGIN to END, BEGIN to the last body line, or the body lines before END. */
function pemRanges(text: string): Range[] {
  if (!text.includes('PRIVATE KEY')) return [];
  const out: Range[] = [];
  const ls = lines(text);
  const lineAt = (index: number): number => ls.findIndex((l) => index >= l.start && index <= l.end);
  const marks = [...text.matchAll(MARKER)];
  let i = 0;
  while (i < marks.length) {
    const m = marks[i]!;
    const next = marks[i + 1];
    if (m[1] === 'BEGIN' && next && next[1] === 'END') {
      out.push([m.index, next.index + next[0].length]);
      i += 2;
      continue;
    }
    if (m[1] === 'BEGIN') {
      // Cut at the end: the body lines that follow.
      let end = m.index + m[0].length;
      for (let l = lineAt(end) + 1; l < ls.length; l++) {
        const b = bodyOf(ls[l]!);
        if (!b) break;
        end = Math.max(end, b[1]);
      }
      // Body on the BEGIN line itself (`key=-----BEGIN … -----MIIE…` with the breaks lost).
      const rest = /^[A-Za-z0-9+/=]*/.exec(text.slice(m.index + m[0].length))![0];
      out.push([m.index, Math.max(end, m.index + m[0].length + rest.length)]);
    } else {
      // Cut at the start: the body lines before END, up to the first line that is not body.
      let start = m.index;
      for (let l = lineAt(m.index) - 1; l >= 0; l--) {
        const b = bodyOf(ls[l]!);
        if (!b) break;
        if (b[0] !== b[1]) start = b[0];
      }
      out.push([start, m.index + m[0].length]);
    }
    i += 1;
  }
  return out;
}

/** PuTTY `.ppk`: the `Private-Lines: N` lines after the header, and the MAC. */
function puttyRanges(text: string): Range[] {
  const out: Range[] = [];
  for (const m of text.matchAll(/Private-Lines: *(\d+)[ \t]*\r?\n/g)) {
    const start = m.index + m[0].length;
    let end = start;
    const n = Number(m[1]);
    const ls = lines(text.slice(start));
    for (let i = 0; i < Math.min(n, ls.length); i++) end = start + ls[i]!.end;
    out.push([start, end]);
  }
  for (const m of text.matchAll(/(?<=Private-(?:MAC|Hash): *)[0-9a-fA-F]{16,}/g))
    out.push([m.index, m.index + m[0].length]);
  return out;
}

// JSON Web Key private members (RFC 7518 §6.2.2, §6.3.2, §6.4.1), inside an object that has a `kty`.
const JWK_PRIVATE = /"(?:d|p|q|dp|dq|qi|k|r|t)"\s*:\s*"([^"\\]*)"/g;

function jwkRanges(text: string): Range[] {
  if (!text.includes('"kty"')) return [];
  const out: Range[] = [];
  for (const obj of text.matchAll(/\{[^{}]*"kty"[^{}]*\}/g)) {
    for (const m of obj[0].matchAll(JWK_PRIVATE)) {
      const start = obj.index + m.index + m[0].length - m[1]!.length - 1;
      if (m[1]!.length > 0) out.push([start, start + m[1]!.length]);
    }
  }
  return out;
}

/** Ranges of private key material in `text`. */
export function keyBlockRanges(text: string): Range[] {
  return [...pemRanges(text), ...puttyRanges(text), ...jwkRanges(text)];
}
