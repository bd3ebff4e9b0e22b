// Whether a variable or key name (DB_PASSWORD, apiKey, SENTRY_DSN) says its value is a credential.

// Matched anywhere in the name, whatever the case or separators.
const STRONG =
  /(password|passwd|passphrase|secret|token|credential|private|apikey|api_key|api-key|accesskey|access_key|connection_?string|connstr)/i;

// Matched only as a whole word of the name, so KEYCLOAK_URL or AUTHOR_NAME stay readable.
const WORDS = new Set(['key', 'auth', 'dsn', 'pass', 'pwd', 'salt', 'cookie', 'jwt', 'bearer']);

// A last word that makes the value a name, place or number about a credential, not the credential itself.
const ABOUT = new Set([
  'name',
  'names',
  'ref',
  'file',
  'path',
  'dir',
  'ttl',
  'length',
  'len',
  'count',
  'size',
  'timeout',
  'expiry',
  'expires',
  'limit',
  'version',
  'enabled',
  'type',
  'tokens',
  'policy',
  'rotation',
]);

/**
 * `DB_PASSWORD`, `stripeApiKey`, `SENTRY_DSN`, `AUTH_HEADER` → true; `LOG_LEVEL`, `KEYCLOAK_URL`,
 * `DB_SECRET_NAME`, `TOKEN_TTL`, `MAX_TOKENS` → false (their values only name or size a credential).
 */
export function credentialName(name: string): boolean {
  // Split snake, kebab, dotted and camelCase names into words.
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w.length > 0);
  if (words.length > 1 && ABOUT.has(words[words.length - 1]!)) return false;
  if (STRONG.test(name)) return true;
  return words.some((w) => WORDS.has(w));
}
