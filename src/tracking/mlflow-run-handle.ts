// One MLflow run as the agent sees it: what it is asked to log (params, metrics, tags, artifacts, end) is kept
// in memory, spans go to the trace recorder; nothing reaches MLflow until the flush (flush-run.ts) writes it.
import type { MlflowClient } from './mlflow-client.js';
import type { MlflowRunInfo } from './mlflow-schemas.js';
import type { Metric, Param, Tag } from './split-log-batch.js';
import type { TraceCollector } from './trace-collector.js';
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
  /** The user's OTLP collector, which gets a copy of the trace; absent: MLflow only. */
  collector?: TraceCollector | null;
}

/** A nested run that exists only in memory so far: the flush creates it under its parent, with the time it started. */
export interface PendingRun {
  runName: string;
  tags: Record<string, string>;
  startTime: number;
}

/** Everything logged on one run since the last flush. */
export interface RunWrites {
  params: Param[];
  metrics: Metric[];
  tags: Tag[];
  artifacts: Array<{ path: string; text: string; contentType: string }>;
  /** Set once the run was ended: the status and when. */
  end: { status: RunStatus; at: number } | null;
}

export interface MlflowRunHandle extends RunHandle {
  readonly ended: boolean;
  /** The run on the server: known from the start (a parent run), after the flush created it, or never. */
  readonly ref: RunRef | null;
  /** The run still to be created by the flush, or null. */
  readonly pending: PendingRun | null;
  /** Records the server's run once the flush created it. */
  created(ref: RunRef | null): void;
  /** Hands over what was logged since the last call (the flush writes it). */
  take(): RunWrites;
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

const emptyWrites = (): RunWrites => ({ params: [], metrics: [], tags: [], artifacts: [], end: null });

/**
 * `run` says which run this is: `{ ref }` a run the server has, `{ pending }` a nested run the flush will
 * create, `{}` a run whose creation is under way (the parent run: `created` gets it), or null when
 * tracking is off or down for this investigation. `container` is the span that stands for this run in the trace (the root span for the
 * parent run, "iteration n" / "apply" for nested runs); spans the agent starts on this handle become
 * its children.
 */
export function createMlflowRunHandle(
  ctx: RunContext,
  run: { ref?: RunRef; pending?: PendingRun } | null,
  container: { spanId: string; end(error?: unknown): void } | null,
  parentSpanId: string | null = container?.spanId ?? null,
): MlflowRunHandle {
  let ref: RunRef | null = run?.ref ?? null;
  const pending: PendingRun | null = run?.pending ?? null;
  const tracked = run !== null;
  let writes = emptyWrites();
  let ended = false;

  return {
    get runId() {
      return ref?.runId ?? null;
    },
    get runUrl() {
      return ref?.url ?? null;
    },
    get ended() {
      return ended;
    },
    get ref() {
      return ref;
    },
    pending,
    created(r) {
      ref = r;
    },
    take() {
      const taken = writes;
      writes = emptyWrites();
      return taken;
    },
    async logParams(params) {
      if (!tracked) return;
      for (const [key, value] of Object.entries(params)) writes.params.push({ key, value: String(value) });
    },
    async logMetrics(metrics, step = 0) {
      if (!tracked) return;
      const timestamp = Date.now();
      for (const [key, value] of Object.entries(metrics))
        writes.metrics.push({ key, value, timestamp, step });
    },
    async setTags(tags) {
      if (!tracked) return;
      for (const [key, value] of Object.entries(tags)) writes.tags.push({ key, value });
    },
    async logArtifact(path, content) {
      if (!tracked) return;
      const text = typeof content === 'string' ? content : JSON.stringify(content, null, 2);
      // A path written twice keeps its last content, as a second upload would.
      writes.artifacts = writes.artifacts.filter((a) => a.path !== path);
      writes.artifacts.push({ path, text, contentType: artifactContentType(path) });
    },
    startSpan(name, kind, attrs = {}): SpanHandle {
      return ctx.recorder.startSpan(name, kind, attrs, parentSpanId);
    },
    async end(status) {
      if (ended) return;
      ended = true;
      container?.end(spanErrorFor(status));
      if (tracked) writes.end = { status, at: Date.now() };
    },
  };
}
