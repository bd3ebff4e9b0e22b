// Sends an investigation's recorded spans to MLflow's OTLP endpoint and links the trace to its run.
import { isMlflowError } from './mlflow-error.js';
import type { MlflowClient } from './mlflow-client.js';
import { otlpJson } from './otlp-json.js';
import type { TraceRecorder } from './trace-recorder.js';
import type { TrackingGuard } from './tracking-guard.js';

/** Statuses of a server that is up but has no OTLP ingestion (old version, file store): skip traces, keep tracking. */
const UNSUPPORTED = new Set([404, 405, 501]);

export interface ExportTraceInput {
  client: MlflowClient;
  guard: TrackingGuard;
  recorder: TraceRecorder;
  experimentId: string;
  runId: string;
  serviceVersion: string;
  /**
   * Also call link-to-run: needed when the root span is not in this export (a resumed run adds spans to a
   * trace exported earlier); the `x-mlflow-run-id` header links a trace whose root span is in the request.
   */
  link?: boolean;
}

/**
 * Exports the spans recorded since the last export. The `x-mlflow-run-id` header makes the server link
 * traces whose root span is in the request; link-to-run (with `link`) covers the rest and is idempotent.
 * The root span also carries the trace tag `autofix.run_id`, which keeps the trace findable should
 * linking be unavailable.
 */
export async function exportTrace(input: ExportTraceInput): Promise<void> {
  const { client, guard, recorder, experimentId, runId } = input;
  const spans = recorder.drain();
  if (spans.length === 0) return;
  const mlflowTraceId = `tr-${recorder.traceId}`;
  await guard.run(
    'export the trace',
    async () => {
      try {
        await client.exportTraces(
          experimentId,
          otlpJson(recorder.traceId, spans, input.serviceVersion),
          runId,
        );
      } catch (e) {
        if (isMlflowError(e) && e.status !== null && UNSUPPORTED.has(e.status)) {
          guard.warn(
            `MLflow server does not accept OTLP traces at /v1/traces (HTTP ${e.status}); the trace was skipped`,
          );
          return;
        }
        throw e;
      }
      if (input.link === false) return;
      try {
        await client.linkTracesToRun(runId, [mlflowTraceId]);
      } catch (e) {
        // Older servers have no link-to-run: the trace keeps its autofix.run_id tag instead.
        if (isMlflowError(e) && e.status !== null && UNSUPPORTED.has(e.status)) return;
        throw e;
      }
    },
    undefined,
  );
}
