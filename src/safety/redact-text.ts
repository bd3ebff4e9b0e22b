// Masks known secret shapes inside free text (log lines, event messages, annotations, URLs).

/** What every masked value becomes; fixed so tests and readers can recognise it. */
export const REDACTED = '[REDACTED]';

// Key words whose `key=value` / `key: value` values are secrets, in logs, query strings and JSON.
const SECRET_KEY = String.raw`[\w.-]{0,40}?(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)[\w.-]{0,40}`;

type Rule = readonly [RegExp, string | ((...groups: string[]) => string)];

/** Ordered: whole blocks and headers first, so later shapes see them already masked. */
const RULES: readonly Rule[] = [
  // PEM private keys, including a block cut off by a truncated log tail.
  [/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g, REDACTED],
  // Authorization headers keep their scheme word so the reader still sees what kind of credential it was.
  // Without a scheme only a long word counts, so registry errors ("may require authorization: server
  // message: …") stay readable.
  [
    /\b((?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?)(?:\[REDACTED\]|(bearer|basic|token|digest|negotiate|aws4-hmac-sha256)[ \t]+[^\s"',;]+|[^\s"',;]{8,})/gi,
    (_m, head: string, scheme?: string) => `${head}${scheme ? `${scheme} ` : ''}${REDACTED}`,
  ],
  [/\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, `$1${REDACTED}`],
  // JWTs (header.payload.signature, base64url, header always starts with `{"`).
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // AWS access key ids.
  [/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, REDACTED],
  // GitHub tokens: classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained.
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{22,}/g, REDACTED],
  // Slack bot/user/app tokens.
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/\bxapp-\d-[A-Za-z0-9-]{10,}/g, REDACTED],
  // OpenAI-style keys (sk-…, sk-proj-…).
  [/\bsk-[A-Za-z0-9_-]{20,}/g, REDACTED],
  // Credentials in URLs: scheme://user:password@host keeps the user.
  [/\b([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:@/]{1,256}:)[^\s@/]{1,256}@/gi, `$1${REDACTED}@`],
  // key=value, key: value, "key": "value", ?key=value&… (no space before ':' so `volume "db-secret" : secret …` events stay readable).
  [
    new RegExp(
      String.raw`(["']?\b${SECRET_KEY}["']?(?:\s*=\s*|:\s*))(\[REDACTED\]|"[^"]*"|'[^']*'|[^\s"'&,;}]+)`,
      'gi',
    ),
    (_m, head: string, value: string) => {
      const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : '';
      return `${head}${quote}${REDACTED}${quote}`;
    },
  ],
];

/** The text with every known secret shape replaced by {@link REDACTED}; other text is untouched. */
export function redactText(s: string): string {
  if (typeof s !== 'string') return s; // callers with untyped data must not make redaction throw
  let out = s;
  for (const [re, replacement] of RULES) {
    // Two calls because replace's overloads do not accept the union.
    out = typeof replacement === 'string' ? out.replace(re, replacement) : out.replace(re, replacement);
  }
  return out;
}

/** Whether the text contains a known secret shape. */
export function containsSecret(s: string): boolean {
  return redactText(s) !== s;
}
