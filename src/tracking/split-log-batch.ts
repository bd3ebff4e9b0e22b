// MLflow's runs/log-batch limits: key sanitizing, value truncation, and splitting into requests that fit.

/** Server-side limits of MLflow 3.x (mlflow/utils/validation.py); a request over any of them is refused. */
export const MLFLOW_LIMITS = {
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  /** Metrics + params + tags in one request. */
  entitiesPerBatch: 1000,
  /** The JSON body of one request. */
  bodyBytes: 1_000_000,
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
} as const;

export interface Metric {
  key: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}
export interface Param {
  key: string;
  value: string;
}
export interface Tag {
  key: string;
  value: string;
}
export interface LogBatch {
  metrics: Metric[];
  params: Param[];
  tags: Tag[];
}

const ILLEGAL_KEY_CHARS = /[^/\w.\- :]/g;
const TRUNCATED = '…[truncated]';
/** Room left in each request for `{"run_id": …, "metrics": [], …}` around the entities. */
const BODY_OVERHEAD = 256;

/**
 * A key MLflow accepts: only `[/\w.\- :]`, a normalised relative path (MLflow refuses `a//b`, `/a`,
 * `a/./b`, `../a`), at most 250 characters, never empty.
 */
export function sanitizeKey(key: string): string {
  const cleaned = key
    .replace(ILLEGAL_KEY_CHARS, '_')
    .split('/')
    .filter((seg) => seg !== '' && seg !== '.' && seg !== '..')
    .join('/');
  const cut = cleaned.slice(0, MLFLOW_LIMITS.keyLength).replace(/\/+$/, '');
  return cut === '' ? '_' : cut;
}

/** Cuts `value` to at most `max` characters, marking the cut and never splitting a surrogate pair. */
export function truncateValue(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max - TRUNCATED.length;
  const code = value.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return value.slice(0, end) + TRUNCATED;
}

/** Sanitised keys and values; for params and tags the last value of a key wins (MLflow refuses duplicates). */
export function normalizeBatch(batch: LogBatch): LogBatch {
  const lastByKey = <T extends { key: string; value: string }>(items: T[], max: number): Param[] => {
    const out = new Map<string, string>();
    for (const item of items) out.set(sanitizeKey(item.key), truncateValue(item.value, max));
    return [...out].map(([key, value]) => ({ key, value }));
  };
  return {
    metrics: batch.metrics.map((m) => ({ ...m, key: sanitizeKey(m.key), step: Math.trunc(m.step) })),
    params: lastByKey(batch.params, MLFLOW_LIMITS.paramValueLength),
    tags: lastByKey(batch.tags, MLFLOW_LIMITS.tagValueLength),
  };
}

type Entity =
  { kind: 'metrics'; item: Metric } | { kind: 'params'; item: Param } | { kind: 'tags'; item: Tag };

const PER_KIND = {
  metrics: MLFLOW_LIMITS.metricsPerBatch,
  params: MLFLOW_LIMITS.paramsPerBatch,
  tags: MLFLOW_LIMITS.tagsPerBatch,
} as const;

/** JSON bytes of one entity as it will be sent (NaN and infinities go as strings, as proto3 JSON allows). */
function entityBytes(e: Entity): number {
  const item = e.kind === 'metrics' ? { ...e.item, value: metricValueJson(e.item.value) } : e.item;
  return Buffer.byteLength(JSON.stringify(item)) + 1;
}

/** Proto3 JSON carries non-finite doubles as the strings "NaN", "Infinity", "-Infinity". */
export function metricValueJson(value: number): number | string {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

/**
 * Normalises the batch and splits it into requests within every limit (per kind, total entities,
 * body size), keeping order: params first (write-once, the most valuable), then tags, then metrics.
 */
export function splitLogBatch(batch: LogBatch): LogBatch[] {
  const norm = normalizeBatch(batch);
  const entities: Entity[] = [
    ...norm.params.map((item) => ({ kind: 'params' as const, item })),
    ...norm.tags.map((item) => ({ kind: 'tags' as const, item })),
    ...norm.metrics.map((item) => ({ kind: 'metrics' as const, item })),
  ];
  const out: LogBatch[] = [];
  let current: LogBatch = { metrics: [], params: [], tags: [] };
  let count = 0;
  let bytes = BODY_OVERHEAD;
  for (const e of entities) {
    const size = entityBytes(e);
    const full =
      current[e.kind].length >= PER_KIND[e.kind] ||
      count >= MLFLOW_LIMITS.entitiesPerBatch ||
      bytes + size > MLFLOW_LIMITS.bodyBytes;
    if (full && count > 0) {
      out.push(current);
      current = { metrics: [], params: [], tags: [] };
      count = 0;
      bytes = BODY_OVERHEAD;
    }
    (current[e.kind] as Entity['item'][]).push(e.item);
    count += 1;
    bytes += size;
  }
  if (count > 0) out.push(current);
  return out;
}
