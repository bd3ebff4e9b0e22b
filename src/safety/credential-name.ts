// Whether a variable, key, header or flag name (DB_PASSWORD, apiKey, X-Vault-Token, -storepass) says its value is a credential.

/**
 * How strongly a name says credential: `strong` names (password, token, secret…) hold one whatever the value
 * looks like; `weak` names (key, auth, signature, session…) often hold a name or a switch, so free text masks
 * their value only when it looks random. Env, ConfigMap keys and flags mask both.
 */
export type CredentialStrength = 'strong' | 'weak';

// A word of the name that is, or ends in, one of these is a credential (`dbpassword`, `clientsecret`, `authtoken`).
const STRONG_ENDINGS = [
  'password',
  'passwd',
  'passphrase',
  'passcode',
  'secret',
  'secrets',
  'token',
  'credential',
  'credentials',
  'creds',
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
  'signingkey',
  'masterkey',
  'encryptionkey',
  'licensekey',
  'subscriptionkey',
  'connectionstring',
  'connstr',
  'sessionid',
  'sessid',
  'sessiontoken',
  'cookie',
  'dsn',
  'jwt',
  'psk',
  'authorization',
];
// Whole words that are strong only on their own or as the tail of these compounds (so `bypass`, `compass` are not).
const STRONG_WORDS = new Set(['pwd', 'pass', 'pw', 'pin', 'otp', 'bearer', 'salt']);
const PASS_COMPOUNDS =
  /^(?:store|key|srcstore|deststore|srckey|destkey|require|master|db|admin|root|redis|mysql|pg|sql|ldap|bind|smtp|mail|ftp|proxy|http|app|user|sasl|vnc|rabbit|default)pass$/;
const STRONG_AUTH = /^(?:master|basic|proxy|http)auth$/;
// Whole words that name a credential or something else (`key: app.kubernetes.io/name`, `auth: enabled`).
const WEAK_WORDS = new Set([
  'key',
  'auth',
  'signature',
  'sig',
  'session',
  'sid',
  'hmac',
  'private',
  'nonce',
  'code',
]);
// Weak words that still mask an env value or ConfigMap key whole (`SIGNING_KEY`, `AUTH`), unlike `EXIT_CODE`.
const WEAK_FOR_ENV = new Set(['key', 'auth', 'signature', 'sig', 'hmac', 'private']);

/**
 * A last word that makes the value a name, place, size, switch or identity about a credential, not the
 * credential itself (`DB_SECRET_NAME`, `TOKEN_TTL`, `token_endpoint`, `key_file`, `cookie_domain`).
 */
const ABOUT = new Set([
  'name',
  'names',
  'ref',
  'refs',
  'file',
  'files',
  'filename',
  'path',
  'paths',
  'dir',
  'location',
  'ttl',
  'length',
  'len',
  'count',
  'size',
  'bits',
  'timeout',
  'expiry',
  'expires',
  'expiration',
  'lifetime',
  'age',
  'limit',
  'max',
  'min',
  'version',
  'enabled',
  'disabled',
  'required',
  'type',
  'kind',
  'mode',
  'method',
  'policy',
  'rotation',
  'algorithm',
  'alg',
  'format',
  'provider',
  'source',
  'store',
  'backend',
  'prefix',
  'suffix',
  'field',
  'endpoint',
  'url',
  'uri',
  'host',
  'issuer',
  'audience',
  'scope',
  'scopes',
  'domain',
  'samesite',
  'secure',
  'httponly',
  'affinity',
  'user',
  'username',
  'login',
  'email',
  'groups',
  'owner',
  'label',
  'selector',
  'namespace',
  'mount',
  'volume',
  'strategy',
  'encryption',
  'hash',
  'tokens',
  'parallelism',
  'reset',
  'changed',
  'verification',
  'valid',
  'status',
  'state',
  'error',
  'class',
  'usage',
  'pattern',
  'template',
  'vault',
  'stdin',
  'fingerprint',
  'exception',
  'failure',
  'warning',
  'message',
  'msg',
  'ids',
]);

/**
 * Words that make the whole name a reference or a protocol field, not a credential: `existingSecret` names a
 * Secret object; `Sec-WebSocket-Key` and `Idempotency-Key` are nonces the protocol sends in the clear.
 */
const NOT_CREDENTIAL = new Set(['existing', 'websocket', 'idempotency', 'public', 'pub', 'csrfparam']);

/** Split snake, kebab, dotted and camelCase names into lower-case words (`keyStorePassword` → key store password). */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w.length > 0);
}

function wordStrength(word: string): CredentialStrength | null {
  if (STRONG_WORDS.has(word) || PASS_COMPOUNDS.test(word) || STRONG_AUTH.test(word)) return 'strong';
  if (STRONG_ENDINGS.some((e) => word.endsWith(e))) return 'strong';
  return WEAK_WORDS.has(word) ? 'weak' : null;
}

/**
 * `DB_PASSWORD`, `stripeApiKey`, `X-Vault-Token`, `storepass` → strong; `signing-key` is strong (joined words
 * count too), `AUTH`, `tls.key`, `X-Hub-Signature` → weak; `LOG_LEVEL`, `KEYCLOAK_URL`, `DB_SECRET_NAME`,
 * `TOKEN_TTL`, `MAX_TOKENS`, `tokenizer` → null (their values only name, size or switch a credential).
 */
export function credentialStrength(name: string): CredentialStrength | null {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  // Every credential word contains one of these; most names in a log line contain none.
  const strength = STEMS.test(name) ? strengthOf(name) : null;
  if (cache.size >= 20_000) cache.clear();
  cache.set(name, strength);
  return strength;
}

const STEMS =
  /pass|pw|pin|secret|token|key|auth|cred|cookie|sess|sid|bearer|jwt|dsn|otp|salt|psk|sig|hmac|private|nonce|code|connstr|connection/i;
const cache = new Map<string, CredentialStrength | null>();

function strengthOf(name: string): CredentialStrength | null {
  const words = nameWords(name);
  if (words.length === 0) return null;
  const last = words[words.length - 1]!;
  if (words.some((w, i) => NOT_CREDENTIAL.has(w) || NOT_CREDENTIAL.has(`${w}${words[i + 1] ?? ''}`)))
    return null;
  if (words.length > 1 && ABOUT.has(last)) return null;
  // `session_id`, `private_key_id`: an id of a session is the session; an id of a key only names it.
  if (words.length > 1 && last === 'id') {
    const prev = words[words.length - 2]!;
    if (prev === 'session') return 'strong';
    return wordStrength(prev) || wordStrength(words.slice(0, -1).join('')) ? 'weak' : null;
  }
  let best: CredentialStrength | null = null;
  for (const w of words) {
    const s = wordStrength(w);
    if (s === 'strong') return 'strong';
    best = best ?? s;
  }
  // Joined pairs: `api key`, `access key`, `client secret` split by separators still form one credential name.
  for (let i = 0; i + 1 < words.length; i++) {
    if (wordStrength(`${words[i]}${words[i + 1]}`) === 'strong') return 'strong';
  }
  return best;
}

/**
 * Whether the value of a variable or key named so is masked whole (env, ConfigMap keys, flags): true for
 * strong and weak names alike.
 */
export function credentialName(name: string): boolean {
  const strength = credentialStrength(name);
  return strength === 'strong' || (strength === 'weak' && nameWords(name).some((w) => WEAK_FOR_ENV.has(w)));
}
