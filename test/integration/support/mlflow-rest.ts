// Reads what the agent recorded, straight from the sandbox's MLflow REST API (runs, metrics, artifacts, traces).
import { sandboxEnv } from '../sandbox-env.js';

export const mlflowUri = (): string => sandboxEnv().MLFLOW_TRACKING_URI.replace(/\/+$/, '');

async function call<T>(path: string, body?: unknown): Promise<T> {
  const init =
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(`${mlflowUri()}${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`MLflow ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

interface KeyValue {
  key: string;
  value: string;
}
export interface RunJson {
  info: {
    run_id: string;
    run_name: string;
    status: string;
    experiment_id: string;
    end_time?: string | number;
  };
  data: {
    params?: KeyValue[];
    tags?: KeyValue[];
    metrics?: { key: string; value: number; step: string | number }[];
  };
}

export const kv = (items: KeyValue[] = []): Record<string, string> =>
  Object.fromEntries(items.map((i) => [i.key, i.value]));

export async function getRun(runId: string): Promise<RunJson> {
  return (await call<{ run: RunJson }>(`/api/2.0/mlflow/runs/get?run_id=${runId}`)).run;
}

export async function experimentId(name: string): Promise<string> {
  const r = await call<{ experiment: { experiment_id: string } }>(
    `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
  );
  return r.experiment.experiment_id;
}

/** Runs of an experiment (every page), oldest first; `filter` in MLflow's search syntax. */
export async function searchRuns(experiment: string, filter = ''): Promise<RunJson[]> {
  const out: RunJson[] = [];
  let pageToken: string | undefined;
  do {
    const page = await call<{ runs?: RunJson[]; next_page_token?: string }>('/api/2.0/mlflow/runs/search', {
      experiment_ids: [experiment],
      filter,
      order_by: ['attributes.start_time ASC'],
      max_results: 1000,
      ...(pageToken ? { page_token: pageToken } : {}),
    });
    out.push(...(page.runs ?? []));
    pageToken = page.next_page_token || undefined;
  } while (pageToken);
  return out;
}

/** The nested runs of `parentId`, by run name. */
export async function nestedRuns(experiment: string, parentId: string): Promise<Map<string, RunJson>> {
  const runs = await searchRuns(experiment, `tags.mlflow.parentRunId = '${parentId}'`);
  return new Map(runs.map((r) => [r.info.run_name, r]));
}

/** [value, step] pairs of a metric's whole history. */
export async function metricHistory(runId: string, key: string): Promise<[number, number][]> {
  const r = await call<{ metrics?: { value: number; step: string | number }[] }>(
    `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=${encodeURIComponent(key)}&max_results=1000`,
  );
  return (r.metrics ?? []).map((m) => [m.value, Number(m.step)]);
}

/** Every artifact file path of a run (directories walked). */
export async function artifactPaths(runId: string, path = ''): Promise<string[]> {
  const q = path ? `&path=${encodeURIComponent(path)}` : '';
  const r = await call<{ files?: { path: string; is_dir: boolean }[] }>(
    `/api/2.0/mlflow/artifacts/list?run_id=${runId}${q}`,
  );
  const nested = await Promise.all(
    (r.files ?? []).map((f) => (f.is_dir ? artifactPaths(runId, f.path) : Promise.resolve([f.path]))),
  );
  return nested.flat().sort();
}

/** An artifact's bytes as text, downloaded through the tracking server's proxied artifact API. */
export async function artifactText(run: RunJson, path: string): Promise<string> {
  const url = `${mlflowUri()}/api/2.0/mlflow-artifacts/artifacts/${run.info.experiment_id}/${run.info.run_id}/artifacts/${path}`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`artifact ${path} of ${run.info.run_id}: ${res.status}`);
  return res.text();
}

export interface TraceInfo {
  trace_id: string;
  state: string;
  trace_metadata?: Record<string, string>;
}

export async function searchTraces(experiment: string, filter?: string): Promise<TraceInfo[]> {
  const r = await call<{ traces?: TraceInfo[] }>('/api/3.0/mlflow/traces/search', {
    locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experiment } }],
    ...(filter ? { filter } : {}),
  });
  return r.traces ?? [];
}

/** Traces linked to a run (the link sets the `mlflow.sourceRun` metadata MLflow searches by). */
export const tracesOfRun = (experiment: string, runId: string): Promise<TraceInfo[]> =>
  searchTraces(experiment, `metadata.\`mlflow.sourceRun\` = '${runId}'`);

type AttrValue = Record<string, unknown>;
export interface SpanJson {
  name: string;
  span_id: string;
  parent_span_id?: string;
  status: { code: string; message?: string };
  attributes: { key: string; value: AttrValue }[];
}

/** The whole trace as the server stores it (info and spans). */
export async function getTrace(
  traceId: string,
): Promise<{ trace: { trace_info: unknown; spans: SpanJson[] } }> {
  return call(`/api/3.0/mlflow/traces/get?trace_id=${traceId}`);
}

export interface SpanView {
  id: string;
  parent: string | null;
  type: string | undefined;
  status: string;
  /** `mlflow.chat.tokenUsage` of an LLM span. */
  usage: Record<string, number> | undefined;
}

export function spanView(s: SpanJson): SpanView {
  const attr = (k: string): AttrValue | undefined => s.attributes.find((a) => a.key === k)?.value;
  const usage = attr('mlflow.chat.tokenUsage')?.kvlist_value as
    { values: { key: string; value: { int_value: number } }[] } | undefined;
  return {
    id: s.span_id,
    parent: s.parent_span_id || null,
    type: attr('mlflow.spanType')?.string_value as string | undefined,
    status: s.status.code,
    usage: usage
      ? Object.fromEntries(usage.values.map((v) => [v.key, Number(v.value.int_value)]))
      : undefined,
  };
}
