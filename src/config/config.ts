// Environment → typed Config (zod); the only module that reads process.env.
import { z } from 'zod';
import {
  AutofixError,
  ClusterName,
  DEFAULT_CLUSTER,
  ErrorCode,
  parseQuantity,
  DNS1123_LABEL,
  DEFAULT_PRICES,
  LlmCeilings,
  ModelPrice,
  priceOf,
} from '../domain/index.js';
import { IdentityMap, loadIdentities } from './identities.js';

const csv = (s: string | undefined): string[] =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off', ''];

/** true/1/yes/on and false/0/no/off in any case; anything else is an error naming the variable. */
function boolVar(env: Env, name: string): boolean {
  const raw = env[name] ?? '';
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (!FALSE_WORDS.includes(word)) bad(name, 'true or false (also 1/0, yes/no, on/off)', raw);
  return false;
}

const DURATION = /^(\d+)(s|m|h)?$/;
/** "30m", "90s", "2h" or plain seconds → seconds. */
export function parseDuration(s: string): number | null {
  const m = DURATION.exec(s.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : n;
}

export const PolicyLevel = z.enum(['baseline', 'restricted']);
export type PolicyLevel = z.infer<typeof PolicyLevel>;

export const PolicyConfig = z.object({
  level: PolicyLevel,
  maxMemoryBytes: z.number().positive(),
  maxCpuCores: z.number().positive(),
  maxReplicas: z.number().int().positive(),
  /** The workload's total (replicas × each pod's requests, or limits) a change may raise it to. */
  maxTotalMemoryBytes: z.number().positive(),
  maxTotalCpuCores: z.number().positive(),
  /** Registry hosts images may come from; empty means any. `docker.io` covers unqualified images. */
  allowedRegistries: z.array(z.string()),
});
export type PolicyConfig = z.infer<typeof PolicyConfig>;

export const LlmResponseFormat = z.enum(['auto', 'json_schema', 'json_object']);
export type LlmResponseFormat = z.infer<typeof LlmResponseFormat>;

/** What a live patch may do to an object Argo CD, Flux or Helm manages (null: each manager's default). */
export const GitOpsMode = z.enum(['refuse', 'warn', 'allow']);
export type GitOpsMode = z.infer<typeof GitOpsMode>;

/** Sampling sent with every request: server defaults (llama.cpp: temperature 0.8) make small models loop. */
export const LlmSampling = z.object({
  temperature: z.number().min(0).max(2),
  topP: z.number().gt(0).max(1),
  /** OpenAI's frequency_penalty (llama.cpp, vLLM and Ollama read it too); 0 sends none. */
  frequencyPenalty: z.number().min(-2).max(2),
});
export type LlmSampling = z.infer<typeof LlmSampling>;

export const LlmConfig = z.object({
  apiKey: z.string().min(1),
  baseUrl: z.string().url().nullable(),
  model: z.string().min(1),
  /** One request. */
  timeoutMs: z.number().int().positive(),
  /** One diagnosis: every attempt, back-off and corrective re-ask together; at least one request's timeout. */
  diagnosisTimeoutMs: z.number().int().positive(),
  maxRetries: z.number().int().min(0).max(5),
  /** The bound sent as max_tokens: a looping model stops here instead of at the end of its context. */
  maxOutputTokens: z.number().int().min(64).max(32_768),
  sampling: LlmSampling,
  /** `auto` (default): strict json_schema, falling back to json_object when the server rejects it. */
  responseFormat: LlmResponseFormat.optional(),
  /** USD per 1M tokens of `model` (AUTOFIX_LLM_PRICE_PER_MILLION_TOKENS, else the built-in table); null: unknown. */
  price: ModelPrice.nullable(),
  /** Per investigation (AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION, AUTOFIX_LLM_MAX_COST_USD); null: none. */
  ceilings: LlmCeilings,
});
export type LlmConfig = z.infer<typeof LlmConfig>;

/**
 * Defaults of the LLM client. A 135M model on 2 CPU cores took up to ~115 s for one diagnosis under load:
 * a request may take 3 minutes, a diagnosis (retries and re-asks included) 6.
 */
export const LLM_DEFAULTS = {
  timeoutMs: 180_000,
  diagnosisTimeoutMs: 360_000,
  maxRetries: 2,
  maxOutputTokens: 1024,
  sampling: { temperature: 0.2, topP: 0.9, frequencyPenalty: 0 },
} as const satisfies Pick<
  LlmConfig,
  'timeoutMs' | 'diagnosisTimeoutMs' | 'maxRetries' | 'maxOutputTokens' | 'sampling'
>;

export const MlflowConfig = z.object({
  trackingUri: z.string().url(),
  experimentName: z.string().min(1),
  token: z.string().nullable(),
  username: z.string().nullable(),
  password: z.string().nullable(),
});
export type MlflowConfig = z.infer<typeof MlflowConfig>;

export const SlackConfig = z.object({
  botToken: z.string().nullable(),
  signingSecret: z.string().nullable(),
  appToken: z.string().nullable(),
  apiUrl: z.string().url().nullable(),
  approvers: z.array(z.string()),
  channelNamespaces: z.record(z.string(), z.string()),
  /** Channel id → the cluster a command there goes to when it names none (AUTOFIX_CHANNEL_CLUSTERS). */
  channelClusters: z.record(z.string(), ClusterName),
  proposalTtlSeconds: z.number().int().positive(),
  /** May the person who requested an investigation approve its proposal (AUTOFIX_SELF_APPROVAL, default true). */
  selfApproval: z.boolean(),
});
export type SlackConfig = z.infer<typeof SlackConfig>;

/** Whose credentials change the cluster: the worker's own account, or the approving human's (impersonated). */
export const ApplyAs = z.enum(['worker', 'approver']);
export type ApplyAs = z.infer<typeof ApplyAs>;
/** Which changes need two distinct approvers: those with safety flags, all, or none. */
export const TwoPerson = z.enum(['flagged', 'all', 'off']);
export type TwoPerson = z.infer<typeof TwoPerson>;

export const IdentityConfig = z.object({
  /** AUTOFIX_APPLY_AS (default worker): approver = RBAC decides who approves, the patch is sent as them. */
  applyAs: ApplyAs,
  /** AUTOFIX_TWO_PERSON (default flagged when applying as the approver, off otherwise). */
  twoPerson: TwoPerson,
  /** AUTOFIX_IDENTITIES, read and validated at start; null when unset. */
  identities: IdentityMap.nullable(),
  /** AUTOFIX_IDENTITY_EMAIL: a user without an entry is named by their Slack e-mail (scopes users:read, users:read.email). */
  emailLookup: z.boolean(),
});
export type IdentityConfig = z.infer<typeof IdentityConfig>;

export const QueueConfig = z.object({
  /** Prefix of every Redis key (BullMQ queue, proposals, active investigations); bot and worker must agree. */
  prefix: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  /** Jobs one worker runs at once. */
  concurrency: z.number().int().min(1).max(50),
  /** A job's lock; a worker that stops renewing it (killed) loses the job to another after this long. */
  lockDurationMs: z.number().int().min(500),
  /** How often a worker renews its registration; it counts as gone after three missed beats. */
  heartbeatMs: z.number().int().min(100),
});
export type QueueConfig = z.infer<typeof QueueConfig>;

/** The Alertmanager receiver (`POST /alerts/alertmanager`); null when AUTOFIX_ALERTS_TOKEN is unset (no route). */
export const AlertsConfig = z.object({
  /** The bearer token Alertmanager sends (`http_config.authorization.credentials`). */
  token: z.string().min(16),
  /** Namespace → channel (AUTOFIX_ALERT_ROUTES); `*` is the default channel, always present. */
  routes: z.record(z.string(), z.string()),
  /** A workload's alerts join its thread while firing and this long after they resolved (AUTOFIX_ALERT_COOLDOWN). */
  cooldownSeconds: z.number().int().positive(),
  /** Investigations alerts may start in any 60 s (AUTOFIX_ALERT_MAX_PER_MINUTE); the rest are listed, not investigated. */
  maxPerMinute: z.number().int().min(1).max(1000),
});
export type AlertsConfig = z.infer<typeof AlertsConfig>;

/** The user's own OpenTelemetry collector (OTEL_EXPORTER_OTLP_*); null when no endpoint is set. */
export const OtlpConfig = z.object({
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. */
  tracesUrl: z.string().url(),
  /** OTEL_EXPORTER_OTLP_HEADERS, overridden key by key by OTEL_EXPORTER_OTLP_TRACES_HEADERS. */
  headers: z.record(z.string(), z.string()),
  /** OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, else OTEL_EXPORTER_OTLP_TIMEOUT (ms; the spec's default 10 s). */
  timeoutMs: z.number().int().positive(),
});
export type OtlpConfig = z.infer<typeof OtlpConfig>;

export const RedisMode = z.enum(['standalone', 'cluster', 'sentinel']);
export type RedisMode = z.infer<typeof RedisMode>;

/** Where the queues and the proposal store live; the same for the bot and every cluster's workers. */
export const RedisConfig = z.object({
  mode: RedisMode,
  /** standalone: one URL; cluster: seed nodes; sentinel: the sentinels (their credentials in the URLs). */
  urls: z.array(z.string().min(1)).min(1),
  /** sentinel: the monitored master's name (REDIS_SENTINEL_MASTER). */
  sentinelMaster: z.string().nullable(),
  /** Credentials of the data nodes when not in the URLs (sentinel: the master's); REDIS_USERNAME / REDIS_PASSWORD. */
  username: z.string().nullable(),
  password: z.string().nullable(),
  /** A PEM file of the CA that signed Redis's TLS certificate (rediss:// URLs), when not a public one. */
  tlsCaFile: z.string().nullable(),
});
export type RedisConfig = z.infer<typeof RedisConfig>;

export const Config = z.object({
  /** The cluster this worker serves (AUTOFIX_CLUSTER): its queues, its proposals' home. */
  cluster: ClusterName,
  /** KUBECONFIG as given (a path, or a list the client merges); null → in-cluster or ~/.kube/config. */
  kubeconfig: z.string().nullable(),
  namespaces: z.array(z.string().regex(DNS1123_LABEL)),
  maxIterations: z.number().int().min(1).max(10),
  logPrompts: z.boolean(),
  rolloutTimeoutSeconds: z.number().int().positive(),
  llm: LlmConfig.nullable(),
  mlflow: MlflowConfig.nullable(),
  redis: RedisConfig,
  queue: QueueConfig,
  slack: SlackConfig,
  policy: PolicyConfig,
  port: z.number().int().min(1).max(65535),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** AUTOFIX_GITOPS_MODE; unset = refuse for Argo CD/Flux, warn for Helm. */
  gitopsMode: GitOpsMode.nullable().optional(),
  /** Alertmanager webhooks (bot only); null: the receiver is off. */
  alerts: AlertsConfig.nullable().default(null),
  /** A copy of every trace for the user's collector; null: traces go to MLflow only. */
  otlp: OtlpConfig.nullable().default(null),
  /** Who changes the cluster: the worker, or the approver impersonated (AUTOFIX_APPLY_AS, AUTOFIX_IDENTITIES…). */
  identity: IdentityConfig,
});
export type Config = z.infer<typeof Config>;

type Env = Record<string, string | undefined>;

function isHttpUrl(v: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}

function bad(variable: string, expected: string, got: string | undefined): never {
  throw new AutofixError(
    ErrorCode.ConfigInvalid,
    `${variable} is invalid: expected ${expected}, got "${got}".`,
    {
      hint: 'Fix the variable (see the Configuration section of the README) and run again.',
    },
  );
}

function intVar(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  // Decimal digits only: Number() would also read 0x10, 1e3, 0b11 and " 5 ".
  const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) bad(name, `a decimal integer from ${min} to ${max}`, raw);
  return n;
}

const DECIMAL = /^-?\d{1,9}(?:\.\d{1,9})?$/;

/** A plain decimal number (0.2, -1, 15.5) in [min, max]; unset or empty gives the default. */
function numberVar(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = DECIMAL.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) bad(name, `a decimal number from ${min} to ${max}`, raw);
  return n;
}

/** Unset or empty: null (no ceiling); otherwise a positive integer, or (`decimal`) a positive decimal number. */
function ceilingVar(env: Env, name: string, decimal: boolean): number | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return null;
  const n = (decimal ? DECIMAL : /^\d{1,12}$/).test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n <= 0)
    bad(
      name,
      decimal ? 'a positive number of US dollars, e.g. 0.05' : 'a positive whole number of tokens',
      raw,
    );
  return n;
}

/** `prompt,completion` in USD per 1M tokens (e.g. 0.15,0.6) for AUTOFIX_MODEL; unset: the built-in table's. */
function priceVar(env: Env, model: string): ModelPrice | null {
  const name = 'AUTOFIX_LLM_PRICE_PER_MILLION_TOKENS';
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return priceOf(DEFAULT_PRICES, model);
  const parts = raw.split(',').map((x) => x.trim());
  const [prompt, completion] = parts.map((x) => (DECIMAL.test(x) ? Number(x) : NaN));
  if (parts.length !== 2 || !(prompt! >= 0) || !(completion! >= 0))
    bad(name, 'PROMPT,COMPLETION in USD per 1M tokens, e.g. 0.15,0.6', raw);
  return { prompt: prompt!, completion: completion! };
}

/** The LLM settings, checked against each other: a diagnosis outlives one request. */
function llmVars(env: Env, apiKey: string, format: LlmResponseFormat): LlmConfig {
  const model = env.AUTOFIX_MODEL || 'gpt-4o-mini';
  const d = LLM_DEFAULTS;
  const timeoutMs = intVar(env, 'AUTOFIX_LLM_TIMEOUT_MS', d.timeoutMs, 1000, 600_000);
  const diagnosisTimeoutMs = intVar(
    env,
    'AUTOFIX_LLM_DIAGNOSIS_TIMEOUT_MS',
    Math.max(d.diagnosisTimeoutMs, timeoutMs),
    1000,
    3_600_000,
  );
  if (diagnosisTimeoutMs < timeoutMs)
    bad(
      'AUTOFIX_LLM_DIAGNOSIS_TIMEOUT_MS',
      `at least AUTOFIX_LLM_TIMEOUT_MS (${timeoutMs}): one diagnosis makes at least one request`,
      env.AUTOFIX_LLM_DIAGNOSIS_TIMEOUT_MS,
    );
  const price = priceVar(env, model);
  const maxCostUsd = ceilingVar(env, 'AUTOFIX_LLM_MAX_COST_USD', true);
  // A cost ceiling needs a price: without one every call would be "unknown", never stopped.
  if (maxCostUsd !== null && price === null)
    bad(
      'AUTOFIX_LLM_MAX_COST_USD',
      `a price for AUTOFIX_MODEL "${model}", which the built-in table lacks: set AUTOFIX_LLM_PRICE_PER_MILLION_TOKENS (e.g. 0.15,0.6)`,
      env.AUTOFIX_LLM_MAX_COST_USD,
    );
  return {
    apiKey,
    baseUrl: env.OPENAI_BASE_URL || null,
    model,
    timeoutMs,
    diagnosisTimeoutMs,
    maxRetries: intVar(env, 'AUTOFIX_LLM_MAX_RETRIES', d.maxRetries, 0, 5),
    maxOutputTokens: intVar(env, 'AUTOFIX_LLM_MAX_OUTPUT_TOKENS', d.maxOutputTokens, 64, 32_768),
    sampling: {
      temperature: numberVar(env, 'AUTOFIX_LLM_TEMPERATURE', d.sampling.temperature, 0, 2),
      topP: numberVar(env, 'AUTOFIX_LLM_TOP_P', d.sampling.topP, 0.01, 1),
      frequencyPenalty: numberVar(env, 'AUTOFIX_LLM_FREQUENCY_PENALTY', d.sampling.frequencyPenalty, -2, 2),
    },
    responseFormat: format,
    price,
    ceilings: {
      maxTokens: ceilingVar(env, 'AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION', false),
      maxCostUsd,
    },
  };
}

/** Slack user (U…, W…) and user-group (S…) ids, bare or as Slack writes mentions (<@U…>, <!subteam^S…|name>). */
const SLACK_PRINCIPAL = /^(?:<@)?[UW][A-Z0-9]+>?$|^(?:<!subteam\^)?S[A-Z0-9]+(?:\|[^>]*)?>?$/;
/** Public (C…), private (G…) and direct-message (D…) channel ids, as Slack sends them: upper case. */
const CHANNEL_ID = /^[CGD][A-Z0-9]+$/;
/** `ghcr.io`, `localhost:5000`, `ghcr.io/acme`: a registry host with an optional repository prefix. */
const REGISTRY_ENTRY =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::\d{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*\/?$/;

function approversVar(raw: string | undefined): string[] {
  const ids = csv(raw);
  const wrong = ids.find((id) => !SLACK_PRINCIPAL.test(id));
  if (wrong !== undefined)
    bad(
      'AUTOFIX_APPROVERS',
      `Slack user ids (U…, W…) or user-group ids (S…), not names like "${wrong}"`,
      raw,
    );
  return ids;
}

function registriesVar(raw: string | undefined): string[] {
  const entries = csv(raw);
  const wrong = entries.find((e) => !REGISTRY_ENTRY.test(e));
  if (wrong !== undefined) {
    const why = wrong.includes('*')
      ? 'no wildcards (leave the variable unset to allow any registry)'
      : wrong.includes('://')
        ? 'no scheme (ghcr.io, not https://ghcr.io)'
        : 'registry hosts such as ghcr.io or ghcr.io/acme';
    bad('AUTOFIX_ALLOWED_REGISTRIES', `${why}; "${wrong}" is not one`, raw);
  }
  return entries;
}

function quantityVar(env: Env, name: string, def: string, what: string): number {
  const raw = env[name] === undefined || env[name] === '' ? def : env[name]!;
  const v = parseQuantity(raw);
  // "1e400" parses to Infinity: no cap at all, and a raw schema error later.
  if (v === null || !Number.isFinite(v) || v <= 0) bad(name, what, raw);
  return v;
}

/** `C123=value,C456=value` with each value a DNS label; `what` names the value in errors. */
function channelPairs(variable: string, raw: string | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of csv(raw)) {
    const [channel, value, ...rest] = pair.split('=').map((x) => x.trim());
    if (!channel || !value || rest.length > 0 || value.length > 63 || !DNS1123_LABEL.test(value)) {
      bad(
        variable,
        `comma-separated CHANNEL=${what} pairs, e.g. C123=${what === 'namespace' ? 'shop' : 'prod-eu'}`,
        raw,
      );
    }
    if (!CHANNEL_ID.test(channel))
      bad(variable, `Slack channel ids in upper case (C…, G…, D…), not "${channel}"`, raw);
    if (Object.hasOwn(out, channel)) bad(variable, `each channel once; ${channel} is mapped twice`, raw);
    out[channel] = value;
  }
  return out;
}

/** `shop=C0SHOP,*=C0OPS`: namespace → channel, with `*` (the default channel) required. */
function alertRoutes(raw: string | undefined, namespaces: readonly string[]): Record<string, string> {
  const name = 'AUTOFIX_ALERT_ROUTES';
  const out: Record<string, string> = {};
  for (const pair of csv(raw)) {
    const [ns, channel, ...rest] = pair.split('=').map((x) => x.trim());
    if (!ns || !channel || rest.length > 0 || (ns !== '*' && !DNS1123_LABEL.test(ns)))
      bad(name, 'comma-separated namespace=CHANNEL pairs with a default, e.g. shop=C0SHOP,*=C0OPS', raw);
    if (!CHANNEL_ID.test(channel))
      bad(name, `Slack channel ids in upper case (C…, G…), not "${channel}"`, raw);
    // A central bot without AUTOFIX_NAMESPACES routes any namespace; each cluster's worker re-checks its own.
    if (ns !== '*' && namespaces.length > 0 && !namespaces.includes(ns))
      bad(name, `namespaces listed in AUTOFIX_NAMESPACES (or *); "${ns}" is not`, raw);
    if (Object.hasOwn(out, ns)) bad(name, `each namespace once; ${ns} is routed twice`, raw);
    out[ns] = channel;
  }
  if (!Object.hasOwn(out, '*'))
    bad(name, 'a default route *=CHANNEL (where refusals and unrouted alerts go), e.g. *=C0OPS', raw);
  return out;
}

/** Null unless AUTOFIX_ALERTS_TOKEN is set: the receiver exists only with a token to check. */
function alertsVar(env: Env, namespaces: readonly string[]): AlertsConfig | null {
  const token = env.AUTOFIX_ALERTS_TOKEN ?? '';
  if (token === '') return null;
  if (token.length < 16 || /\s/.test(token))
    bad(
      'AUTOFIX_ALERTS_TOKEN',
      'at least 16 characters without spaces (e.g. openssl rand -hex 32)',
      '(hidden)',
    );
  const cooldownRaw = env.AUTOFIX_ALERT_COOLDOWN || '30m';
  const cooldown = parseDuration(cooldownRaw);
  if (cooldown === null || cooldown <= 0)
    bad('AUTOFIX_ALERT_COOLDOWN', 'a duration such as 30m, 900s or 1h', cooldownRaw);
  return {
    token,
    routes: alertRoutes(env.AUTOFIX_ALERT_ROUTES, namespaces),
    cooldownSeconds: cooldown,
    maxPerMinute: intVar(env, 'AUTOFIX_ALERT_MAX_PER_MINUTE', 10, 1, 1000),
  };
}

/** A bot without AUTOFIX_NAMESPACES (the central install) learns each cluster's allowlist from its workers. */
function channelMap(raw: string | undefined, namespaces: readonly string[]): Record<string, string> {
  const out = channelPairs('AUTOFIX_CHANNEL_NAMESPACES', raw, 'namespace');
  const outside = Object.values(out).find((ns) => !namespaces.includes(ns));
  if (namespaces.length > 0 && outside !== undefined)
    bad('AUTOFIX_CHANNEL_NAMESPACES', `namespaces listed in AUTOFIX_NAMESPACES; "${outside}" is not`, raw);
  return out;
}

const REDIS_URL = /^rediss?:\/\/[^\s,]+$/;

/** REDIS_MODE and its variables; URLs are checked here so a typo is named at start, not at first use. */
function redisVar(env: Env): RedisConfig {
  const mode = env.REDIS_MODE || 'standalone';
  if (!RedisMode.safeParse(mode).success) bad('REDIS_MODE', RedisMode.options.join(' | '), mode);
  const given = env.REDIS_URL || 'redis://127.0.0.1:6379';
  const urls = csv(given);
  // Errors show the URLs without their passwords.
  const raw = given.replace(/\/\/[^@/,\s]*@/g, '//***@');
  const wrong = urls.find((u) => !REDIS_URL.test(u) || !URL.canParse(u));
  if (wrong !== undefined || urls.length === 0)
    bad(
      'REDIS_URL',
      'redis://host:port or rediss://host:port (comma-separated for cluster or sentinel)',
      raw,
    );
  if (mode === 'standalone' && urls.length > 1)
    bad('REDIS_URL', 'one URL (or REDIS_MODE=cluster / sentinel for several nodes)', raw);
  if (new Set(urls.map((u) => new URL(u).protocol)).size > 1)
    bad('REDIS_URL', 'one scheme for every node (all redis:// or all rediss://)', raw);
  const master = env.REDIS_SENTINEL_MASTER || null;
  if (mode === 'sentinel' && master === null)
    bad('REDIS_SENTINEL_MASTER', 'the name of the master the sentinels monitor (REDIS_MODE=sentinel)', '');
  return {
    mode: RedisMode.parse(mode),
    urls,
    sentinelMaster: master,
    username: env.REDIS_USERNAME || null,
    password: env.REDIS_PASSWORD || null,
    tlsCaFile: env.REDIS_TLS_CA_FILE || null,
  };
}

function clusterVar(raw: string | undefined): string {
  const name = raw || DEFAULT_CLUSTER;
  if (!ClusterName.safeParse(name).success)
    bad('AUTOFIX_CLUSTER', 'a DNS label (lowercase letters, digits and "-", at most 63)', name);
  return name;
}

function identityVars(env: Env): IdentityConfig {
  const applyAs = env.AUTOFIX_APPLY_AS || 'worker';
  if (!ApplyAs.safeParse(applyAs).success) bad('AUTOFIX_APPLY_AS', ApplyAs.options.join(' | '), applyAs);
  const twoPerson = env.AUTOFIX_TWO_PERSON || (applyAs === 'approver' ? 'flagged' : 'off');
  if (!TwoPerson.safeParse(twoPerson).success)
    bad('AUTOFIX_TWO_PERSON', TwoPerson.options.join(' | '), twoPerson);
  const emailLookup = boolVar(env, 'AUTOFIX_IDENTITY_EMAIL');
  const file = env.AUTOFIX_IDENTITIES || null;
  if (applyAs === 'approver' && !file)
    bad(
      'AUTOFIX_IDENTITIES',
      'the path of the Slack → Kubernetes identity file when AUTOFIX_APPLY_AS=approver',
      env.AUTOFIX_IDENTITIES,
    );
  return {
    applyAs: ApplyAs.parse(applyAs),
    twoPerson: TwoPerson.parse(twoPerson),
    identities: file ? loadIdentities(file) : null,
    emailLookup,
  };
}

/** `key=value,key2=value2` (values percent-encoded, as the OpenTelemetry spec has it); values never echoed. */
function otlpHeaders(name: string, raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of csv(raw)) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key))
      bad(name, 'comma-separated key=value pairs (a header name before each "=")', '<hidden>');
    try {
      out[key.toLowerCase()] = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      bad(name, `a percent-encoded value for header "${key}"`, '<hidden>');
    }
  }
  return out;
}

function otlpVars(env: Env): OtlpConfig | null {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || null;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT || null;
  for (const [name, val] of [
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', base],
  ] as const) {
    if (val && !isHttpUrl(val))
      bad(name, 'an http(s) URL (OTLP over HTTP, such as http://collector:4318)', val);
  }
  const headers = {
    ...otlpHeaders('OTEL_EXPORTER_OTLP_HEADERS', env.OTEL_EXPORTER_OTLP_HEADERS),
    ...otlpHeaders('OTEL_EXPORTER_OTLP_TRACES_HEADERS', env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
  };
  // The signal-specific URL is used as is; the base one gets the traces path (the OpenTelemetry spec's rule).
  const tracesUrl = specific ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : null);
  const timeoutVar = env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT
    ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'
    : 'OTEL_EXPORTER_OTLP_TIMEOUT';
  const timeoutMs = intVar(env, timeoutVar, 10_000, 1, 600_000);
  return tracesUrl ? { tracesUrl, headers, timeoutMs } : null;
}

/** Reads the whole configuration; every variable has a default or a clear error naming it. */
export function loadConfig(env: Env = process.env): Config {
  const namespaces = csv(env.AUTOFIX_NAMESPACES);
  for (const ns of namespaces) {
    if (!DNS1123_LABEL.test(ns))
      bad('AUTOFIX_NAMESPACES', 'a comma list of namespace names', env.AUTOFIX_NAMESPACES);
  }
  const level = env.AUTOFIX_POLICY_LEVEL || 'baseline';
  if (!PolicyLevel.safeParse(level).success) bad('AUTOFIX_POLICY_LEVEL', '"baseline" or "restricted"', level);
  const ttlRaw = env.AUTOFIX_PROPOSAL_TTL || '30m';
  const ttl = parseDuration(ttlRaw);
  if (ttl === null || ttl <= 0) bad('AUTOFIX_PROPOSAL_TTL', 'a duration such as 30m, 900s or 1h', ttlRaw);
  const rolloutRaw = env.AUTOFIX_ROLLOUT_TIMEOUT || '180s';
  const rollout = parseDuration(rolloutRaw);
  if (rollout === null || rollout <= 0)
    bad('AUTOFIX_ROLLOUT_TIMEOUT', 'a duration such as 180s or 5m', rolloutRaw);
  for (const [name, val] of [
    ['OPENAI_BASE_URL', env.OPENAI_BASE_URL],
    ['MLFLOW_TRACKING_URI', env.MLFLOW_TRACKING_URI],
    ['SLACK_API_URL', env.SLACK_API_URL],
  ] as const) {
    if (val && !isHttpUrl(val)) bad(name, 'an http(s) URL', val);
  }
  const lockRaw = env.AUTOFIX_JOB_LOCK || '30s';
  const lock = parseDuration(lockRaw);
  if (lock === null || lock <= 0) bad('AUTOFIX_JOB_LOCK', 'a duration such as 30s or 2m', lockRaw);
  const prefix = env.AUTOFIX_QUEUE_PREFIX || 'autofix';
  if (!QueueConfig.shape.prefix.safeParse(prefix).success)
    bad('AUTOFIX_QUEUE_PREFIX', 'letters, digits, "_", "." or "-"', prefix);
  const beatRaw = env.AUTOFIX_WORKER_HEARTBEAT || '10s';
  const beat = /^\d+ms$/.test(beatRaw.trim())
    ? Number(beatRaw.trim().slice(0, -2)) / 1000
    : parseDuration(beatRaw);
  if (beat === null || beat < 0.1 || beat > 300)
    bad('AUTOFIX_WORKER_HEARTBEAT', 'a duration from 100ms to 5m, such as 10s', beatRaw);
  const logLevel = env.LOG_LEVEL || 'info';
  const levels = Config.shape.logLevel;
  if (!levels.safeParse(logLevel).success) bad('LOG_LEVEL', levels.options.join(' | '), logLevel);
  const llmFormat = env.AUTOFIX_LLM_RESPONSE_FORMAT || 'auto';
  if (!LlmResponseFormat.safeParse(llmFormat).success)
    bad('AUTOFIX_LLM_RESPONSE_FORMAT', LlmResponseFormat.options.join(' | '), llmFormat);
  const gitops = env.AUTOFIX_GITOPS_MODE || null;
  if (gitops !== null && !GitOpsMode.safeParse(gitops).success)
    bad('AUTOFIX_GITOPS_MODE', GitOpsMode.options.join(' | '), gitops);

  return Config.parse({
    cluster: clusterVar(env.AUTOFIX_CLUSTER),
    kubeconfig: env.KUBECONFIG || null,
    namespaces,
    maxIterations: intVar(env, 'AUTOFIX_MAX_ITERATIONS', 3, 1, 10),
    logPrompts: boolVar(env, 'AUTOFIX_LOG_PROMPTS'),
    gitopsMode: gitops === null ? null : GitOpsMode.parse(gitops),
    rolloutTimeoutSeconds: rollout,
    llm: env.OPENAI_API_KEY ? llmVars(env, env.OPENAI_API_KEY, LlmResponseFormat.parse(llmFormat)) : null,
    mlflow: env.MLFLOW_TRACKING_URI
      ? {
          trackingUri: env.MLFLOW_TRACKING_URI.replace(/\/+$/, ''),
          experimentName: env.MLFLOW_EXPERIMENT_NAME || 'kube-autofix',
          token: env.MLFLOW_TRACKING_TOKEN || null,
          username: env.MLFLOW_TRACKING_USERNAME || null,
          password: env.MLFLOW_TRACKING_PASSWORD || null,
        }
      : null,
    redis: redisVar(env),
    queue: {
      prefix,
      concurrency: intVar(env, 'AUTOFIX_WORKER_CONCURRENCY', 2, 1, 50),
      lockDurationMs: lock * 1000,
      heartbeatMs: Math.round(beat * 1000),
    },
    slack: {
      botToken: env.SLACK_BOT_TOKEN || null,
      signingSecret: env.SLACK_SIGNING_SECRET || null,
      appToken: env.SLACK_APP_TOKEN || null,
      apiUrl: env.SLACK_API_URL || null,
      approvers: approversVar(env.AUTOFIX_APPROVERS),
      channelNamespaces: channelMap(env.AUTOFIX_CHANNEL_NAMESPACES, namespaces),
      channelClusters: channelPairs('AUTOFIX_CHANNEL_CLUSTERS', env.AUTOFIX_CHANNEL_CLUSTERS, 'cluster'),
      proposalTtlSeconds: ttl,
      selfApproval: boolVar(
        { AUTOFIX_SELF_APPROVAL: env.AUTOFIX_SELF_APPROVAL || 'true' },
        'AUTOFIX_SELF_APPROVAL',
      ),
    },
    policy: {
      level,
      maxMemoryBytes: quantityVar(env, 'AUTOFIX_MAX_MEMORY', '4Gi', 'a memory quantity such as 2Gi'),
      maxCpuCores: quantityVar(env, 'AUTOFIX_MAX_CPU', '4', 'a CPU quantity such as 2 or 1500m'),
      maxReplicas: intVar(env, 'AUTOFIX_MAX_REPLICAS', 20, 1, 1000),
      maxTotalMemoryBytes: quantityVar(
        env,
        'AUTOFIX_MAX_TOTAL_MEMORY',
        '32Gi',
        'a memory quantity such as 32Gi',
      ),
      maxTotalCpuCores: quantityVar(env, 'AUTOFIX_MAX_TOTAL_CPU', '16', 'a CPU quantity such as 16'),
      allowedRegistries: registriesVar(env.AUTOFIX_ALLOWED_REGISTRIES),
    },
    port: intVar(env, 'PORT', 3000, 1, 65535),
    logLevel,
    alerts: alertsVar(env, namespaces),
    otlp: otlpVars(env),
    identity: identityVars(env),
  });
}

/** Settings that are valid but leave a guard off; the bot and the worker log each at start. */
export function configWarnings(config: Config): string[] {
  const out: string[] = [];
  if (config.policy.allowedRegistries.length === 0) {
    out.push(
      'AUTOFIX_ALLOWED_REGISTRIES is not set: a proposed image may come from any registry, and only the approver ' +
        '(who sees such images flagged) guards against it. Set it, e.g. AUTOFIX_ALLOWED_REGISTRIES=ghcr.io/acme.',
    );
  }
  return out;
}
