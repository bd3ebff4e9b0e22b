// The redaction rules as they were before issue 19 (regular expressions only), kept for the bench to compare against.

/** What every masked value becomes; fixed so tests and readers can recognise it. */
export const REDACTED = '[REDACTED]';

// Key words whose `key=value` / `key: value` values are secrets, in logs, query strings, JSON and env.
const SECRET_WORDS = String.raw`password|passwd|passphrase|secret|token|credentials?|api[_-]?key|apikey|access[_-]?key|private[_-]?key|(?:encryption|signing|master|license|hmac|jwt|session|account|shared[_-]?access|storage|client|app)[_-]?key|session[_-]?id|sharedaccesssignature|connection[_-]?string|connstr`;
const SECRET_KEY = String.raw`[\w.-]{0,40}?(?:${SECRET_WORDS})[\w.-]{0,40}`;
// Short words that name a credential only as a whole word of the key (`pwd`, `DB_PASS`, `auth`, `--db-pass`).
const SHORT_KEY = String.raw`(?:[A-Za-z0-9]+[_-])*(?:pwd|pass|pw|auth|dsn|cookie|sig|jwt|otp|pin)`;

/** Keys whose values are names, sizes or switches, not credentials (`secretName`, `max_tokens`, `token_ttl`). */
const HARMLESS_KEY =
  /(?:name|names|ref|refs|keyref|namespace|path|file|dir|mount|type|kind|version|provider|store|enabled|count|limit|length|size|ttl|expiry|expires|expires_in|timeout|tokens|max|min|age|len|id_field|format|policy|mode|source|header|prefix|usage|rotation|strategy|backend|field|hash_alg|algorithm)["']?$/i;
/** Values that carry nothing secret (numbers, switches, placeholders already masked). */
const HARMLESS_VALUE =
  /^(?:["']?)(?:\d{1,6}|true|false|null|none|nil|yes|no|on|off|enabled|disabled|required|optional|\*+|\[REDACTED\]|<redacted>|\$\{[^}]*\}?|\$[A-Z_][A-Z0-9_]*)(?:["']?)$/i;

type Replacer = string | ((...groups: string[]) => string);
type Rule = readonly [RegExp, Replacer];

const keep = (head: string): string => `${head}${REDACTED}`;

function keyValue(whole: string, head: string, key: string, value: string): string {
  if (HARMLESS_VALUE.test(value) || (HARMLESS_KEY.test(key) && !/[A-Za-z].*\d|\d.*[A-Za-z]/.test(value)))
    return whole;
  const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : '';
  return `${head}${quote}${REDACTED}${quote}`;
}

/** `key=value`, `key: value`, `"key": "value"`, `?key=value&…` (no space before ':' so `volume "x" : secret …` stays). */
function keyValueRule(key: string): Rule {
  return [
    new RegExp(
      String.raw`((["']?)\b(${key})\2(?:\s*=\s*|:\s*))(\[REDACTED\]|"[^"]*"|'[^']*'|[^\s"'&,;}\]]+)`,
      'gi',
    ),
    (whole: string, head: string, _q: string, k: string, value: string) => keyValue(whole, head, k, value),
  ];
}

/** Ordered: whole blocks and headers first, so later shapes see them already masked. */
const RULES: readonly Rule[] = [
  // PEM private keys (also PGP blocks and JSON-escaped newlines), including one cut off by a log tail.
  [/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|$)/g, REDACTED],
  [/\bAGE-SECRET-KEY-1[0-9A-Z]{20,}/gi, REDACTED],
  // Authorization headers keep their scheme word so the reader still sees what kind of credential it was.
  // Without a scheme only a long word counts, so "may require authorization: server message" stays readable.
  [
    /\b((?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?)(?:\[REDACTED\]|(bearer|basic|token|digest|negotiate|aws4-hmac-sha256|sharedkey|splunk|apikey)[ \t]+[^\s"',;]+(?:,[ \t]*[A-Za-z]+=[^\s"',;]+)*|[^\s"',;]{8,})/gi,
    (_m, head: string, scheme?: string) => `${head}${scheme ? `${scheme} ` : ''}${REDACTED}`,
  ],
  [/\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, `$1${REDACTED}`],
  // Cookie headers: every cookie value is a session.
  [/\b((?:set-)?cookie["']?[ \t]*:[ \t]*["']?)[^\r\n"']+/gi, `$1${REDACTED}`],
  // JWTs (header.payload.signature, base64url, header always starts with `{"`).
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // Cloud keys: AWS access key ids, Google API keys and OAuth tokens.
  [/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, REDACTED],
  [/\bya29\.[0-9A-Za-z_-]{20,}/g, REDACTED],
  // Forge and package-registry tokens: GitHub, GitLab, npm, PyPI, Hugging Face.
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{22,}/g, REDACTED],
  [/\bgl(?:pat|dt|rt|ptt|ft|cbt|imt|oas|soat|agent)-[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\bnpm_[A-Za-z0-9]{30,}/g, REDACTED],
  [/\bpypi-AgE[A-Za-z0-9_-]{30,}/g, REDACTED],
  [/\bhf_[A-Za-z0-9]{30,}/g, REDACTED],
  // Slack tokens (bot, user, app, refresh, config) and webhook URLs; Discord webhooks.
  [/\bxox(?:[abposer]|e\.xox[bp])-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/\bxapp-\d-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/(\bhooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/gi, `$1${REDACTED}`],
  [/(\bdiscord(?:app)?\.com\/api\/webhooks\/\d+\/)[A-Za-z0-9_-]+/gi, `$1${REDACTED}`],
  // Microsoft Teams / Office 365 connector webhooks: the whole path is the credential.
  [
    /(\b(?:outlook\.office(?:365)?\.com|[a-z0-9-]+\.webhook\.office\.com)\/webhook(?:b2)?\/)[^\s"'<>]+/gi,
    `$1${REDACTED}`,
  ],
  // Payment and SaaS keys: Stripe, SendGrid, Twilio, Mailgun, Shopify, DigitalOcean, Databricks, Vault.
  [/\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/g, REDACTED],
  [/\bwhsec_[A-Za-z0-9]{20,}/g, REDACTED],
  [/\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\bSK[0-9a-f]{32}\b/g, REDACTED],
  [/\bkey-[0-9a-f]{32}\b/g, REDACTED],
  [/\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}\b/g, REDACTED],
  [/\bdo[por]_v1_[a-f0-9]{64}\b/g, REDACTED],
  [/\bdapi[0-9a-f]{32}\b/g, REDACTED],
  [/\bhv[sbr]\.[A-Za-z0-9_-]{20,}/g, REDACTED],
  // Grafana Cloud and service-account tokens, Square tokens and secrets, Facebook/Meta access tokens.
  [/\bgl(?:c|sa)_[A-Za-z0-9_=+/-]{32,}/g, REDACTED],
  [/\bsq0(?:atp|csp|idp)-[A-Za-z0-9_-]{22,}/g, REDACTED],
  [/\bEAA[A-Za-z0-9]{60,}/g, REDACTED],
  // OpenAI / Anthropic style keys (sk-…, sk-proj-…, sk-ant-…).
  [/\bsk-[A-Za-z0-9_-]{20,}/g, REDACTED],
  // Credentials in URLs: scheme://user:password@host keeps the user; the password may hold '@' or be alone (`redis://:pw@`).
  [
    /\b([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:@/]{0,256}:)(?!\/)[^\s]{1,256}@(?=[^\s@/]+(?:[/?#\s"'<>)]|$))/gi,
    `$1${REDACTED}@`,
  ],
  // A long bare token as URL user info (Sentry DSNs, `https://<token>@github.com`).
  [/\b([a-z][a-z0-9+.-]{0,30}:\/\/)[A-Za-z0-9_-]{20,}@/gi, `$1${REDACTED}@`],
  // Signed URLs: S3/GCS signatures and security tokens, Azure SAS `sig=`.
  [
    /([?&](?:x-amz-signature|x-amz-security-token|x-amz-credential|x-goog-signature|x-goog-credential|signature|sig|code|access_token|id_token|refresh_token|key)=)[^&\s"'#]+/gi,
    `$1${REDACTED}`,
  ],
  // Command lines: `curl -u user:pw`, `mysql -pPW`, `redis-cli -a pw`, `sshpass -p pw`, `docker login -p pw`.
  [/((?:^|\s)(?:-u|--user)[ =]["']?[^\s:"']+:)[^\s"']+/g, (_m, head: string) => keep(head)],
  [/(\bmysql(?:dump|admin|sh)?\b[^\n]*?\s-p)(?=[^\s-])[^\s"']+/g, (_m, head: string) => keep(head)],
  [/(\bredis-cli\b[^\n]*?\s-a\s+)\S+/g, (_m, head: string) => keep(head)],
  [
    /(\bmongo(?:sh|dump|restore|import|export|stat|top)?\b[^\n]*?\s-p\s+)(?!-)\S+/g,
    (_m, head: string) => keep(head),
  ],
  // `htpasswd -b[c…] file user password`: the last word is the password.
  [/(\bhtpasswd\s+-[A-Za-z]*b[A-Za-z]*\s+\S+\s+\S+\s+)\S+/g, (_m, head: string) => keep(head)],
  [/(\bsshpass\s+-p\s*)\S+/g, (_m, head: string) => keep(head)],
  [/(\bdocker\s+login\b[^\n]*?\s-p\s+)\S+/g, (_m, head: string) => keep(head)],
  // `--password hunter2`, `--db-pass x`, `-token abc`: a credential flag followed by its value.
  [
    new RegExp(String.raw`((?:^|\s)--?(${SECRET_KEY}|${SHORT_KEY})\s+)(?!-)([^\s"']+)`, 'gi'),
    (whole: string, head: string, key: string, value: string) => keyValue(whole, head, key, value),
  ],
  keyValueRule(SECRET_KEY),
  keyValueRule(SHORT_KEY),
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
