// Redaction of whole Kubernetes objects and of text, before anything reaches the LLM, MLflow, Slack or logs.
import { credentialName } from './credential-name.js';
import { isRecord } from '../domain/json-access.js';
import { NO_KNOWN_VALUES, type KnownValues } from './known-values.js';
import { containsSecret, REDACTED, redactText } from './redact-text.js';

export { REDACTED, redactText, containsSecret };

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Walk state: the key we are under, whether we are inside a ConfigMap's `data`, the workload's secret values. */
interface Ctx {
  key: string | null;
  /** ConfigMap `data` keys that name credentials are masked too. */
  configMapData: boolean;
  known: KnownValues;
}

const maskAll = (v: unknown): unknown =>
  isRecord(v) ? Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED])) : REDACTED;

/** `{name: DB_PASSWORD, value: …}`: the value is masked when the name or the value looks like a credential. */
function redactEnvVar(v: Record<string, unknown>, seen: WeakSet<object>, ctx: Ctx): Record<string, unknown> {
  const out = walkRecord(v, { ...ctx, key: null, configMapData: false }, seen);
  const value = v.value;
  if (typeof value === 'string' && (credentialName(String(v.name ?? '')) || containsSecret(value, ctx.known)))
    out.value = REDACTED;
  return out;
}

/** `["--password", "hunter2"]`: a flag naming a credential hides the argument after it. */
function redactArgs(items: unknown[], seen: WeakSet<object>, ctx: Ctx): unknown[] {
  return items.map((item, i) => {
    const prev = items[i - 1];
    const flag =
      typeof prev === 'string' && /^--?[\w.-]+$/.test(prev) && credentialName(prev.replace(/^-+/, ''));
    return flag && typeof item === 'string' ? REDACTED : walk(item, ctx, seen);
  });
}

function walkRecord(v: Record<string, unknown>, ctx: Ctx, seen: WeakSet<object>): Record<string, unknown> {
  const secretObject = v.kind === 'Secret';
  const configMap = v.kind === 'ConfigMap';
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(v)) {
    if (secretObject && (k === 'data' || k === 'stringData')) out[k] = maskAll(child);
    else if (k === LAST_APPLIED && typeof child === 'string') out[k] = REDACTED;
    else if (ctx.configMapData && credentialName(k) && typeof child === 'string') out[k] = REDACTED;
    else out[k] = walk(child, { key: k, configMapData: configMap && k === 'data', known: ctx.known }, seen);
  }
  return out;
}

function walk(v: unknown, ctx: Ctx, seen: WeakSet<object>): unknown {
  if (typeof v === 'string') return redactText(v, ctx.known);
  if (typeof v !== 'object' || v === null)
    return typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
  // `seen` holds the ancestors only: a shared (not cyclic) sub-object is walked each time it appears.
  if (seen.has(v)) return REDACTED;
  seen.add(v);
  try {
    if (!Array.isArray(v)) return walkRecord(v as Record<string, unknown>, ctx, seen);
    if (ctx.key === 'env')
      return v.map((e) => (isRecord(e) ? redactEnvVar(e, seen, ctx) : walk(e, ctx, seen)));
    if (ctx.key === 'args' || ctx.key === 'command') return redactArgs(v, seen, ctx);
    return v.map((e) => walk(e, { ...ctx, key: null }, seen));
  } finally {
    seen.delete(v);
  }
}

/**
 * A deep copy with secrets masked: Secret `data`/`stringData` values, credential-looking env values,
 * the last-applied annotation, credential flags' arguments, and token shapes in every other string;
 * with `known`, the workload's own secret values wherever they appear (see known-values.ts).
 * Never throws: on anything it cannot walk it returns the mask itself.
 */
export function redactObject<T>(obj: T, known: KnownValues = NO_KNOWN_VALUES): T {
  try {
    return walk(obj, { key: null, configMapData: false, known }, new WeakSet()) as T;
  } catch {
    return REDACTED as T;
  }
}
