// Key/value structure in free text: the key's name decides, whatever the syntax around it.
// JSON (spaces and newlines around the colon), YAML (block scalars), INI/.properties/.NET, logfmt, query
// strings and form bodies, Ruby/PHP/Perl `=>`, Go/Rust/Kotlin struct prints, HTTP headers, name/value pairs.
import { credentialStrength, type CredentialStrength } from './credential-name.js';
import type { Range } from './mask-ranges.js';
import { randomLooking } from './randomness.js';

const MASK = '[REDACTED]';

/** Values that carry nothing secret: switches, sizes, placeholders, references and masks. */
const HARMLESS =
  /^(?:\d{1,6}|true|false|null|nil|none|undefined|yes|no|on|off|enabled|disabled|required|optional|present|absent|missing|invalid|expired|empty|unset|set|hidden|redacted|masked|provided|supplied|changed|incorrect|wrong|ok|valid|[*x•]{3,}|\.{3}|-|<[^<>]*>|\$\{[^}]*\}?|\$\(?[A-Za-z_][A-Za-z0-9_]*\)?|%[sdvq]|\{\{.*\}\}|\{[0-9]*\}|:[a-z_]+|#\{[^}]*\})$/i;

/** A path to a file that holds the credential (`./password.txt`, `/run/secrets/db`): it names, not holds. */
const PATH = /^(?:~?\/|\.\.?\/)[\w.@-]+(?:\/[\w.@-]+)*\/?$/;

export function harmlessValue(v: string): boolean {
  const t = v.trim();
  return t === '' || t.includes(MASK) || HARMLESS.test(t) || PATH.test(t);
}

/** A value that reads like a sentence going on (`token: invalid format`, `secret: not found in …`). */
function prose(value: string, after: string): boolean {
  return /^[A-Za-z][a-z]+$/.test(value) && /^[ \t]+[A-Za-z(]/.test(after);
}

/** An auth scheme word starts a credential value (`Bearer x`, `Basic x`, `SSWS x`): the scheme stays. */
const SCHEME = /^(?:[A-Za-z][A-Za-z0-9-]{1,24})[ \t]+(?=\S)/;
const KNOWN_SCHEMES =
  /^(?:bearer|basic|token|digest|negotiate|ntlm|aws4-hmac-sha256|sharedkey|sharedaccesssignature|splunk|apikey|api-key|key|genieKey|oauth|mac|hoba|mutual|vapid|dpop|ssws|sso-key|klaviyo-api-key|hmac|signature|gssapi)[ \t]+/i;

/** Whether a value under a key of this strength is masked. */
function masked(
  strength: CredentialStrength,
  value: string,
  opts: { quoted: boolean; midLine: boolean; after: string; separator: string },
): boolean {
  if (harmlessValue(value)) return false;
  if (strength === 'weak') return randomLooking(value) || randomLooking(value.replace(SCHEME, ''));
  if (!opts.quoted && opts.separator === ':' && opts.midLine && prose(value, opts.after)) return false;
  return true;
}

/** A name that may be a key: found around each credential stem, so ordinary words cost nothing. */
export interface KeyCandidate {
  name: string;
  start: number;
  /** After the closing quote of a quoted key. */
  end: number;
  quoted: boolean;
}

const STEM =
  /pass|pw|pin|secret|token|key|auth|cred|cookie|sess|sid|bearer|jwt|dsn|otp|salt|psk|sig|hmac|private|nonce|code|conn/gi;
/** `[A-Za-z0-9_.\-@$]`, by code unit (this runs around every stem of every log line). */
function keyChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 95 ||
    c === 46 ||
    c === 45 ||
    c === 64 ||
    c === 36
  );
}

export function keyCandidates(text: string): KeyCandidate[] {
  const out: KeyCandidate[] = [];
  let last = -1;
  for (const m of text.matchAll(STEM)) {
    let start = m.index;
    let end = m.index + m[0].length;
    while (start > 0 && keyChar(text.charCodeAt(start - 1)) && m.index - start < 100) start--;
    while (end < text.length && keyChar(text.charCodeAt(end)) && end - m.index < 100) end++;
    // `--db-pass`, `-Dx.password`: the dashes are the flag's, not the key's; a full stop may end a sentence.
    while (start < end && /[-.\d]/.test(text[start]!)) start++;
    while (end > start && /[-.]/.test(text[end - 1]!)) end--;
    if (start <= last || start >= end || !/[A-Za-z_@$]/.test(text[start]!)) continue;
    last = start;
    const q = text[start - 1];
    const quoted = (q === '"' || q === "'") && text[end] === q;
    out.push({ name: text.slice(start, end), start, end: quoted ? end + 1 : end, quoted });
  }
  return out;
}

// The separator after a key: `=`, `:`, `=>` (spaces around it; not `://` or `::`).
const SEPARATOR = /[ \t]*(?:=>|=|:)(?![:=/])[ \t]*/y;

/** Where an unquoted value ends: whitespace and the delimiters of the structures it may sit in. */
const UNQUOTED = /^[^\s"'`,;&}\])<{[][^\s"'`,;&}\])<]*/;

interface Value {
  start: number;
  end: number;
  quoted: boolean;
}

function quotedAt(text: string, at: number): Value | null {
  const q = text[at];
  if (q !== '"' && q !== "'" && q !== '`') return null;
  let i = at + 1;
  while (i < text.length && text[i] !== q && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
  if (text[i] !== q) return null;
  return { start: at + 1, end: i, quoted: true };
}

/** The value that starts at `at` (after the separator), or null when there is none to judge. */
function valueAt(text: string, at: number, lineStartKey: boolean, separator: string): Value | null {
  const q = quotedAt(text, at);
  if (q) return q;
  const ch = text[at];
  if (ch === '[') {
    // Go's http.Header and map prints: `X-Auth-Token:[value]`.
    const close = text.indexOf(']', at);
    return close > at + 1 && !text.slice(at, close).includes('\n')
      ? { start: at + 1, end: close, quoted: true }
      : null;
  }
  const lineEnd = text.indexOf('\n', at) === -1 ? text.length : text.indexOf('\n', at);
  const rest = text.slice(at, lineEnd);
  // A YAML or header line (`password: two words`, `X-Signature: t=1,v1=ab`): the value is the rest of it.
  if (lineStartKey && separator === ':' && rest.trim() !== '' && !/^[|>{[]/.test(rest)) {
    const v = rest.replace(/[ \t]+#.*$/, '').trimEnd();
    return { start: at, end: at + v.length, quoted: false };
  }
  const m = UNQUOTED.exec(rest);
  return m ? { start: at, end: at + m[0].length, quoted: false } : null;
}

/** YAML block scalar (`key: |`, `key: >-`): the more-indented lines that follow. */
function blockScalarAt(text: string, at: number): Value | null {
  const m = /^[|>][-+]?\d?[ \t]*(?:#.*)?\r?\n/.exec(text.slice(at));
  if (!m) return null;
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const indent = /^[ \t]*(?:- )?/.exec(text.slice(lineStart))![0].length;
  let end = at + m[0].length;
  const start = end + /^[ \t]*/.exec(text.slice(end))![0].length;
  for (const line of text.slice(at + m[0].length).split('\n')) {
    const lead = /^[ \t]*/.exec(line)![0].length;
    if (line.trim() !== '' && lead <= indent) break;
    end += line.length + 1;
  }
  end = Math.min(end, text.length);
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end > start ? { start, end, quoted: true } : null;
}

/** `{ "value": "…", "origin": … }` under a credential key (Spring Boot actuator): the value member. */
function objectValueAt(text: string, at: number): Value | null {
  if (text[at] !== '{') return null;
  const close = text.indexOf('}', at);
  if (close === -1) return null;
  const m = /"value"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text.slice(at, close));
  if (!m) return null;
  const start = at + m.index + m[0].length - m[1]!.length - 1;
  return { start, end: start + m[1]!.length, quoted: true };
}

/** The range to mask for the value at `at` under a credential key, or null when it stays. */
function credentialRange(
  text: string,
  at: number,
  strength: CredentialStrength,
  separator: string,
  lineStartKey: boolean,
  keyText: string,
): Range | null {
  const lineEnd = text.indexOf('\n', at) === -1 ? text.length : text.indexOf('\n', at);
  // `Authorization: Bearer x`, `auth=Basic x`: the scheme word stays readable, the credential after it goes.
  const scheme = SCHEME.exec(text.slice(at, lineEnd));
  const authKey = /auth/i.test(keyText);
  if (scheme && (KNOWN_SCHEMES.test(scheme[0]) || (authKey && lineStartKey && separator === ':'))) {
    const from = at + scheme[0].length;
    const rest = text.slice(from, lineEnd);
    const token = lineStartKey
      ? rest.trimEnd()
      : /^[^\s"'`;]+(?:,[ \t]*[A-Za-z]+=(?:"[^"]*"|[^\s"',;]+))*/.exec(rest)?.[0];
    if (token && harmlessValue(token)) return null;
    if (token && (strength === 'strong' || randomLooking(token))) {
      if (!/^[a-z]+$/.test(token) || lineStartKey) return [from, from + token.length];
    }
  }
  const v =
    (strength === 'strong' ? (blockScalarAt(text, at) ?? objectValueAt(text, at)) : null) ??
    valueAt(text, at, lineStartKey, separator);
  if (!v) return null;
  let value = text.slice(v.start, v.end);
  // Inside quotes: `"Token abc"` keeps the scheme word too.
  const inner = v.quoted ? KNOWN_SCHEMES.exec(value) : null;
  const from = inner ? v.start + inner[0].length : v.start;
  value = text.slice(from, v.end);
  // A line-start value with spaces reads as a sentence when its first word does (`password: ****** (hidden)`).
  const first = /^\S+/.exec(value)?.[0] ?? '';
  if (!v.quoted && value.includes(' ') && (harmlessValue(first) || prose(first, value.slice(first.length))))
    return null;
  const opts = { quoted: v.quoted, midLine: !lineStartKey, after: text.slice(v.end), separator };
  return masked(strength, value, opts) ? [from, v.end] : null;
}

/** Ranges of values whose key names a credential, in `key=value`, `key: value`, `"key" : "value"`, `key => value`. */
export function keyValueRanges(text: string, candidates = keyCandidates(text)): Range[] {
  const out: Range[] = [];
  let consumed = 0;
  for (const k of candidates) {
    if (k.start < consumed) continue;
    SEPARATOR.lastIndex = k.end;
    const sep = SEPARATOR.exec(text);
    if (!sep) continue;
    const strength = credentialStrength(k.name);
    if (!strength) continue;
    const separator = sep[0].trim();
    let at = k.end + sep[0].length;
    const lineStart = text.lastIndexOf('\n', k.start) + 1;
    const before = text.slice(lineStart, k.start - (k.quoted ? 1 : 0)).replace(/:$/, '');
    const lineStartKey = /^[ \t>*<-]*$/.test(before) || /^[ \t]*-[ \t]+$/.test(before);
    // A quoted value may follow a line break (pretty-printed JSON); a bare one may not (a YAML mapping).
    if (/^\r?\n/.test(text.slice(at, at + 2))) {
      const next = /^\s*/.exec(text.slice(at, at + 200))![0].length;
      if (!quotedAt(text, at + next)) continue;
      at += next;
    }
    // `volume "x" : secret "y"` is prose; a space before the colon is JSON (Jackson, .NET) only with a quoted value.
    if (/^\s+:/.test(sep[0]) && !lineStartKey && !quotedAt(text, at)) continue;
    const range = credentialRange(text, at, strength, separator, lineStartKey, k.name);
    if (range) {
      out.push(range);
      consumed = range[1];
    }
  }
  return out;
}

// `password netrcPw-3344`, `requirepass reqPassPw5`, `ldap.bind.password   wsPropPw77`: a strong name, a space,
// and a value that cannot be a word of a sentence (digits with letters, or random).
// The value after a space: quoted, or a run without the delimiters of the structures around it.
const SPACED_VALUE = /([ \t]+)("[^"\n]{1,200}"|'[^'\n]{1,200}'|[^\s"'`,;&)\]}]{4,})/y;

export function spacedValueRanges(text: string, candidates = keyCandidates(text)): Range[] {
  const out: Range[] = [];
  for (const k of candidates) {
    SPACED_VALUE.lastIndex = k.end;
    const m = SPACED_VALUE.exec(text);
    if (!m || credentialStrength(k.name) !== 'strong') continue;
    const raw = m[2]!;
    const quoted = /^["']/.test(raw);
    const value = quoted ? raw.slice(1, -1) : raw;
    if (harmlessValue(value) || !secretish(value)) continue;
    const start = k.end + m[1]!.length + (quoted ? 1 : 0);
    out.push([start, start + value.length]);
  }
  return out;
}

/** Not a word, a number or a Kubernetes name: random, or letters with digits in mixed case or with symbols. */
function secretish(value: string): boolean {
  if (randomLooking(value)) return true;
  if (value.length < 6 || !/\d/.test(value) || !/[A-Za-z]/.test(value)) return false;
  return !/^[a-z0-9]+(?:[-.][a-z0-9]+)*$/.test(value) && !/^\d+(?:\.\d+)*[a-z]{0,3}$/i.test(value);
}

/**
 * `{"name":"DB_PASSWORD","value":"…"}` (any order, `Key`/`Value`, `key`/`value` too) and header pairs
 * `["authorization","Token …"]`, `('X-Api-Key', '…')`: the name decides for the value beside it.
 */
export function namedPairRanges(text: string): Range[] {
  const out: Range[] = [];
  for (const obj of text.matchAll(/\{[^{}]{0,2000}\}/g)) {
    const body = obj[0];
    const name = /"(?:name|Name|key|Key|NAME|KEY)"\s*:\s*"([^"\\]{1,100})"/.exec(body);
    if (!name) continue;
    const strength = credentialStrength(name[1]!);
    if (!strength) continue;
    const value = /"(?:value|Value|VALUE)"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(body);
    if (!value || harmlessValue(value[1]!)) continue;
    if (strength === 'weak' && !randomLooking(value[1]!)) continue;
    const start = obj.index + value.index + value[0].length - value[1]!.length - 1;
    out.push([start, start + value[1]!.length]);
  }
  for (const m of text.matchAll(
    /[[(]\s*(["'])([\w.-]{1,80})\1\s*,\s*(["'])((?:(?!\3)[^\\\n]|\\.){1,2000})\3\s*[\])]/g,
  )) {
    const strength = credentialStrength(m[2]!);
    const value = m[4]!;
    if (!strength || harmlessValue(value)) continue;
    const scheme = KNOWN_SCHEMES.exec(value);
    const secret = scheme ? value.slice(scheme[0].length) : value;
    if (strength === 'weak' && !randomLooking(secret)) continue;
    const end = m.index + m[0].length - (m[0].length - m[0].lastIndexOf(m[3]!));
    out.push([end - secret.length, end]);
  }
  return out;
}
