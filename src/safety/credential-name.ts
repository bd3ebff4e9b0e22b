// Whether a variable or key name (DB_PASSWORD, apiKey, SENTRY_DSN) says its value is a credential.

// Matched anywhere in the name, whatever the case or separators.
const STRONG =
  /(password|passwd|passphrase|secret|token|credential|private|apikey|api_key|api-key|accesskey|access_key|connection_?string|connstr)/i;

// Matched only as a whole word of the name, so KEYCLOAK_URL or AUTHOR_NAME stay readable.
const WORDS = new Set(['key', 'auth', 'dsn', 'pass', 'pwd', 'salt', 'cookie', 'jwt', 'bearer']);

/** `DB_PASSWORD`, `stripeApiKey`, `SENTRY_DSN`, `AUTH_HEADER` → true; `LOG_LEVEL`, `KEYCLOAK_URL` → false. */
export function credentialName(name: string): boolean {
  if (STRONG.test(name)) return true;
  // Split snake, kebab, dotted and camelCase names into words.
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase());
  return words.some((w) => WORDS.has(w));
}
