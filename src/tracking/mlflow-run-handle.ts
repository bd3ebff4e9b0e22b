// One MLflow run as the agent sees it (params, metrics, tags, artifacts, spans, end), every call guarded.
import type { MlflowClient } from './mlflow-client.js';
import type { MlflowRunInfo } from './mlflow-schemas.js';
import type { TraceRecorder } from './trace-recorder.js';
import type { TrackingGuard } from './tracking-guard.js';
import type { RunHandle, RunStatus, SpanHandle } from './tracker.js';

/** What the server told us about a run; null when it could not be created (tracking then no-ops). */
export interface RunRef {
  runId: string;
  experimentId: string;
  artifactUri: string;
  url: string | null;
}

export function runRef(client: MlflowClient, info: MlflowRunInfo): RunRef {
  return {
    runId: info.run_id,
    experimentId: info.experiment_id,
    artifactUri: info.artifact_uri,
    url: client.runUrl(info.experiment_id, info.run_id),
  };
}

export interface RunContext {
  client: MlflowClient;
  guard: TrackingGuard;
  recorder: TraceRecorder;
}

export interface MlflowRunHandle extends RunHandle {
  readonly ended: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  diff: 'text/x-diff',
  patch: 'text/x-diff',
  md: 'text/markdown',
};

export function artifactContentType(path: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  return `${CONTENT_TYPES[ext] ?? 'text/plain'}; charset=utf-8`;
}

/** Why a span ends in error: a run that did not finish cleanly marks its span failed. */
export function spanErrorFor(status: RunStatus): string | undefined {
  return status === 'FINISHED' ? undefined : `run ${status.toLowerCase()}`;
}

/**
 * `container` is the span that stands for this run in the trace (the root span for the parent run,
 * "iteration n" / "apply" for nested runs); spans the agent starts on this handle become its children.
 */
export function createMlflowRunHandle(
  ctx: RunContext,
  ref: RunRef | null,
  container: { spanId: string; end(error?: unknown): void } | null,
  parentSpanId: string | null = container?.spanId ?? null,
): MlflowRunHandle {
  const { client, guard, recorder } = ctx;
  let ended = false;
  const ifRun = (what: string, fn: (r: RunRef) => Promise<void>): Promise<void> =>
    ref ? guard.run(what, () => fn(ref), undefined) : Promise.resolve();

  return {
    runId: ref?.runId ?? null,
    runUrl: ref?.url ?? null,
    get ended() {
      return ended;
    },
    logParams(params) {
      const list = Object.entries(params).map(([key, value]) => ({ key, value: String(value) }));
      return ifRun('log params', (r) => client.logBatch(r.runId, { params: list }));
    },
    logMetrics(metrics, step = 0) {
      const timestamp = Date.now();
      const list = Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp, step }));
      return ifRun('log metrics', (r) => client.logBatch(r.runId, { metrics: list }));
    },
    setTags(tags) {
      const list = Object.entries(tags).map(([key, value]) => ({ key, value }));
      return ifRun('set tags', (r) => client.logBatch(r.runId, { tags: list }));
    },
    logArtifact(path, content) {
      const text = typeof content === 'string' ? content : JSON.stringify(content, null, 2);
      return ifRun('upload artifacts', (r) =>
        client.uploadArtifact(r.artifactUri, path, text, artifactContentType(path)),
      );
    },
    startSpan(name, kind, attrs = {}): SpanHandle {
      return recorder.startSpan(name, kind, attrs, parentSpanId);
    },
    async end(status) {
      if (ended) return;
      ended = true;
      container?.end(spanErrorFor(status));
      await ifRun('end the run', (r) => client.updateRun(r.runId, status, Date.now()));
    },
  };
}
