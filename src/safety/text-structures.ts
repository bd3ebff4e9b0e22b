// Credentials by the structure that carries them: URL user info, XML, SQL statements, credential files, Redis commands.
import { credentialStrength } from './credential-name.js';
import { harmlessValue } from './key-values.js';
import type { Range } from './mask-ranges.js';
import { randomLooking } from './randomness.js';

/** The range of the last capture group (the value) of a match whose value ends the match. */
function tail(m: RegExpMatchArray, value: string, endOffset = 0): Range | null {
  if (value.length === 0 || harmlessValue(value)) return null;
  const end = m.index! + m[0].length - endOffset;
  return [end - value.length, end];
}

/**
 * `scheme://user:password@host` in any scheme (JDBC's nested URL, LDAP DNs as users, a password holding `@`
 * or percent escapes, `redis://:pw@`), and a bare token as user info (`https://<token>@host`); the user stays.
 */
function urlRanges(text: string): Range[] {
  if (!text.includes('://')) return [];
  const out: Range[] = [];
  const withPassword =
    /\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s:@/'"<>]{0,256}:(?!\/)([^\s'"<>]{1,256})@(?=[^\s@/'"<>]+(?:[/?#\s"'<>),;]|$))/gi;
  for (const m of text.matchAll(withPassword)) {
    const r = tail(m, m[1]!, 1);
    if (r) out.push(r);
  }
  // A token as the whole user info: long and random, so `git@github.com` and `deploy@host` stay.
  for (const m of text.matchAll(/\b[a-z][a-z0-9+.-]{0,30}:\/\/([A-Za-z0-9._~%+-]{12,256})@/gi)) {
    if (randomLooking(m[1]!) || /\d/.test(m[1]!)) {
      const r = tail(m, m[1]!, 1);
      if (r) out.push(r);
    }
  }
  return out;
}

// `<password>v</password>`, `<wsse:Password Type="…">v</wsse:Password>`, `<apiKey>\n v\n</apiKey>`, CDATA.
const ELEMENT = /<((?:[\w.-]+:)?([\w.-]+))(?:\s[^<>]*)?>\s*(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*?))\s*<\/\1>/g;
// `<add key="X" value="v"/>`, `<property name="password" value="v"/>`, `<entry key="smtp.password">v</entry>`.
const NAMED_ELEMENT =
  /<[\w.:-]+\s[^<>]*?\b(?:name|key|id)\s*=\s*(["'])([^"']{1,100})\1[^<>]*?(?:\bvalue\s*=\s*(["'])([^"']*)\3[^<>]*?\/?>|>([^<]+)<\/)/g;

function xmlRanges(text: string): Range[] {
  if (!text.includes('<')) return [];
  const out: Range[] = [];
  for (const m of text.matchAll(ELEMENT)) {
    const strength = credentialStrength(m[2]!);
    const value = (m[3] ?? m[4] ?? '').trim();
    if (!strength || harmlessValue(value)) continue;
    if (strength === 'weak' && !randomLooking(value)) continue;
    const start = m.index + m[0].indexOf(value, m[0].indexOf('>') + 1);
    out.push([start, start + value.length]);
  }
  for (const m of text.matchAll(NAMED_ELEMENT)) {
    const strength = credentialStrength(m[2]!);
    const value = m[4] ?? m[5] ?? '';
    if (!strength || harmlessValue(value)) continue;
    if (strength === 'weak' && !randomLooking(value)) continue;
    const start = m.index + m[0].lastIndexOf(value);
    out.push([start, start + value.length]);
  }
  return out;
}

/**
 * Passwords in SQL a database logs: `PASSWORD 'x'`, `PASSWORD = N'x'`, `IDENTIFIED [WITH plugin] BY 'x'`,
 * `SET PASSWORD … = 'x'`, and INSERTs whose column is named for a credential.
 */
function sqlRanges(text: string): Range[] {
  if (!/password|identified|insert/i.test(text)) return [];
  const out: Range[] = [];
  const patterns = [
    /\bPASSWORD\s*(?:=\s*)?N?'((?:[^']|'')*)'/gi,
    /\bIDENTIFIED\s+(?:WITH\s+[\w'"]+\s+)?BY\s+(?:PASSWORD\s+)?(?:'((?:[^']|'')*)'|"([^"]*)"|([^\s;'"]+))/gi,
    /\bSET\s+PASSWORD\b[^=\n]*=\s*(?:PASSWORD\s*\(\s*)?'((?:[^']|'')*)'/gi,
  ];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) {
      const value = m[1] ?? m[2] ?? m[3] ?? '';
      const at = m.index + m[0].lastIndexOf(value);
      if (value && !harmlessValue(value)) out.push([at, at + value.length]);
    }
  }
  for (const m of text.matchAll(/\bINSERT\s+INTO\s+[\w."`]+\s*\(([^)]*)\)\s*VALUES\s*\(([^)]*)\)/gi)) {
    const columns = m[1]!.split(',').map((c) => c.trim().replace(/["`]/g, ''));
    const valuesAt = m.index + m[0].lastIndexOf(m[2]!);
    let i = 0;
    for (const v of m[2]!.matchAll(/'((?:[^']|'')*)'|([^,\s]+)/g)) {
      const col = columns[i++] ?? '';
      const value = v[1] ?? v[2] ?? '';
      if (credentialStrength(col) === 'strong' && !harmlessValue(value)) {
        const start = valuesAt + v.index + (v[1] !== undefined ? 1 : 0);
        out.push([start, start + value.length]);
      }
    }
  }
  return out;
}

/**
 * Credential files echoed to a log: `.pgpass` lines (`host:port:db:user:password`), Redis ACL rules
 * (`>password`, `#sha256`), and Redis `AUTH [user] password` (plain or as MONITOR prints it).
 */
function fileRanges(text: string): Range[] {
  const out: Range[] = [];
  const pgpass = /(^|[\s'"])([^\s:'"]+:(?:\d{1,5}|\*):[^\s:'"]+:[^\s:'"]+:([^\s'"]+))(?=$|[\s'"])/gm;
  for (const m of text.matchAll(pgpass)) {
    const r = tail(m, m[3]!);
    if (r) out.push(r);
  }
  if (/\buser\s+\S+\s|SETUSER/i.test(text)) {
    for (const m of text.matchAll(
      /(?<=(?:^|[\s"'])(?:user\s+\S+|"?SETUSER"?\s+"?\S+?"?)\s(?:[^\n]*?\s)?"?)[>#]([^\s"']+)/gim,
    )) {
      out.push([m.index + 1, m.index + m[0].length]);
    }
  }
  for (const m of text.matchAll(/(?:^|\]\s|\s)"?AUTH"?\s+(?:"?[^\s"]+"?\s+)?"?([^\s"]+)"?\s*$/gm)) {
    const value = m[1]!;
    if (/^(?:failed|required|ok|error)/i.test(value) || harmlessValue(value)) continue;
    const end = m.index + m[0].trimEnd().length - (m[0].trimEnd().endsWith('"') ? 1 : 0);
    out.push([end - value.length, end]);
  }
  return out;
}

/** SMTP `AUTH PLAIN <base64>` / `AUTH LOGIN` exchanges: the Base64 words after it carry user and password. */
function smtpRanges(text: string): Range[] {
  const out: Range[] = [];
  for (const m of text.matchAll(/\bAUTH (?:PLAIN|LOGIN|XOAUTH2?)\b[^\n]*/g)) {
    for (const w of m[0].matchAll(/(?<![\w+/=])[A-Za-z0-9+/]{8,}={0,2}(?![\w+/=])/g))
      if (/\d|=/.test(w[0]) || w[0].length >= 12)
        out.push([m.index + w.index, m.index + w.index + w[0].length]);
  }
  return out;
}

/** Ranges of credentials carried by URL, XML, SQL and credential-file structure in `text`. */
export function structureRanges(text: string): Range[] {
  return [
    ...urlRanges(text),
    ...xmlRanges(text),
    ...sqlRanges(text),
    ...fileRanges(text),
    ...smtpRanges(text),
  ];
}
