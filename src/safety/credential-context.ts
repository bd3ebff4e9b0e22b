// A random-looking token in a credential's context is one, even when no rule knows its shape and no key names it:
// `admin secret is Qm7x…`, `api key Xk29…`, `password for user elastic: =Zt9…`, `erlang cookie: QWERTY…`.
import { credentialStrength } from './credential-name.js';
import type { Range } from './mask-ranges.js';
import { randomLooking } from './randomness.js';

interface Token {
  text: string;
  start: number;
  end: number;
  /** A colon follows (`elastic:`, `"web":`): what comes after is what the clause announced. */
  announces: boolean;
  /** A full stop, semicolon or `!` follows: the clause is over. */
  closes: boolean;
}

// Quotes and brackets delimit tokens, so `"msg":"token validation failed"` is read word by word.
const TOKEN = /\[REDACTED\]|[^\s"'`,{}[\]()<>]+/g;
// Every credential word holds one of these: a line with none has nothing to look at.
const STEMS =
  /pass|pw|pin|secret|token|key|auth|cred|cookie|sess|sid|bearer|jwt|dsn|otp|salt|psk|sig|hmac|private|nonce|code|conn/i;
const CONNECTORS = new Set(['is', 'was', 'are', 'were', 'be', '=', ':', '-', '→', 'of']);
// How far a credential word reaches: to the colon that ends its clause, or to the token right after it.
const CLAUSE_WORDS = 6;
const AFTER_COLON = 3;

const CLOSERS = new Set(['"', "'", '`', ')', ']']);

function tokens(line: string, offset: number): Token[] {
  const out: Token[] = [];
  for (const m of line.matchAll(TOKEN)) {
    let text = m[0];
    let after = m.index + text.length;
    while (after < line.length && CLOSERS.has(line[after]!)) after++;
    const announces = text.endsWith(':') || line[after] === ':';
    const last = text[text.length - 1];
    const closes = (last === '.' || last === ';' || last === '!') && !/\d/.test(text[text.length - 2] ?? '');
    if (text.endsWith(':')) text = text.slice(0, -1);
    if (text === '') continue;
    out.push({ text, start: offset + m.index, end: offset + m.index + text.length, announces, closes });
  }
  return out;
}

function credentialAt(ts: Token[], i: number): boolean {
  const t = ts[i]!.text;
  if (t.includes('=') || t.includes('[REDACTED]')) return false;
  if (credentialStrength(t) === 'strong') return true;
  // Two words that name one (`api key`, `access key`, `client secret`).
  const prev = ts[i - 1]?.text ?? '';
  const word = /^[A-Za-z][\w-]*$/;
  return word.test(prev) && word.test(t) && credentialStrength(`${prev} ${t}`) === 'strong';
}

function candidate(t: Token): boolean {
  const core = t.text.replace(/[.;!]+$/, '');
  return (
    !core.includes('[REDACTED]') &&
    !core.includes('://') &&
    !/^[A-Za-z_][A-Za-z_.-]*=/.test(core) &&
    randomLooking(core)
  );
}

/** Ranges of random-looking tokens that a credential word in the same clause announces. */
export function credentialContextRanges(text: string): Range[] {
  const out: Range[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineOffset = offset;
    offset += line.length + 1;
    if (!STEMS.test(line)) continue;
    const ts = tokens(line, lineOffset);
    for (let i = 0; i < ts.length; i++) {
      if (!credentialAt(ts, i)) continue;
      // Right after the word, past `is`/`:`/`=`: `secret is X`, `api key X`.
      let j = i + 1;
      while (j < ts.length && CONNECTORS.has(ts[j]!.text.toLowerCase())) j++;
      const direct = ts[j];
      if (direct && !ts[i]!.closes && candidate(direct)) {
        out.push([direct.start, direct.start + direct.text.replace(/[.;!]+$/, '').length]);
        continue;
      }
      // Up to the colon that closes its clause, then the first few tokens after it.
      for (let k = i; k < Math.min(ts.length, i + CLAUSE_WORDS); k++) {
        if (ts[k]!.closes) break;
        if (!ts[k]!.announces) continue;
        for (let n = k + 1; n < Math.min(ts.length, k + 1 + AFTER_COLON); n++) {
          if (candidate(ts[n]!))
            out.push([ts[n]!.start, ts[n]!.start + ts[n]!.text.replace(/[.;!]+$/, '').length]);
          if (ts[n]!.closes) break;
        }
        break;
      }
    }
  }
  return out;
}
