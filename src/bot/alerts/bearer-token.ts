// `Authorization: Bearer <token>` (what Alertmanager's http_config.authorization sends), compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Hashing first makes both sides 32 bytes, so neither the token's length nor its prefix leaks through timing. */
export function bearerMatches(header: string | string[] | undefined, token: string): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value ?? '');
  const given = m?.[1] ?? '';
  // Compared even when absent, so a missing header costs the same as a wrong one.
  return timingSafeEqual(digest(given), digest(token)) && given !== '';
}
