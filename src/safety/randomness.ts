// Whether a string looks generated (a key, a token) rather than written (a word, a name, a number, an id).

const counts = new Int32Array(65536);

/** Shannon entropy in bits per character (of UTF-16 code units). */
export function entropy(s: string): number {
  const seen: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const n = counts[c]!;
    counts[c] = n + 1;
    if (n === 0) seen.push(c);
  }
  let bits = 0;
  for (const c of seen) {
    const p = counts[c]! / s.length;
    bits -= p * Math.log2(p);
    counts[c] = 0;
  }
  return bits;
}

/** How many of lower case, upper case, digits and other characters the string uses. */
export function characterClasses(s: string): number {
  return (
    Number(/[a-z]/.test(s)) + Number(/[A-Z]/.test(s)) + Number(/\d/.test(s)) + Number(/[^A-Za-z0-9]/.test(s))
  );
}

// Identifiers that look random and are not credentials: UUIDs (request ids, uids), timestamps, versions.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP_OR_VERSION = /^v?[\d:.\-+TZ/]+$/;
const IP_OR_HOST_PORT = /^[\w.-]+:\d{1,5}$/;

/**
 * A token of at least 12 characters that looks generated: enough distinct characters, and either several
 * character classes or a long run of one (hex digests, upper-case cookies). UUIDs, timestamps, versions and
 * `host:port` are not (they are identifiers, and `randomLooking` is used where an identifier must stay).
 */
export function randomLooking(token: string): boolean {
  const t = token.replace(/^["'`([{<]+|["'`)\]}>,;.]+$/g, '');
  if (t.length < 12 || t.length > 4096) return false;
  if (UUID.test(t) || TIMESTAMP_OR_VERSION.test(t) || IP_OR_HOST_PORT.test(t)) return false;
  // Words joined by separators (`payment-service-worker`, `kube_system_pods`) are names.
  const parts = t.split(/[^A-Za-z0-9]+/).filter((p) => p.length > 0);
  if (parts.every((p) => /^[a-z]{2,}$|^\d{1,4}$/.test(p))) return false;
  if (parts.every((p) => /^[A-Z]?[a-z]+(?:[A-Z][a-z]+)*$/.test(p))) return false;
  const e = entropy(t);
  const classes = characterClasses(t);
  if (classes >= 3) return e >= 3;
  if (classes === 2) return e >= 3.2 && (/\d/.test(t) || t.length >= 16);
  return t.length >= 20 && e >= 3.7;
}
