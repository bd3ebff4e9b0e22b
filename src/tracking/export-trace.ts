// Sends an investigation's recorded spans, as the OpenTelemetry SDK's spans, to MLflow's OTLP endpoint (linked to
// its run) and to the user's collector when one is configured: the same redacted spans to both.
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { isMlflowError } from './mlflow-error.js';
import type { MlflowClient } from './mlflow-client.js';
import { sdkSpans } from './otel-spans.js';
import type { TraceCollector } from './trace-collector.js';
import type { TraceRecorder } from './trace-recorder.js';
import type { TrackingGuard } from './tracking-guard.js';

/** Statuses of a server that is up but has no OTLP ingestion (old version, file store): skip traces, keep tracking. */
const UNSUPPORTED = new Set([404, 405, 501]);

export interface ExportTraceInput {
  client: MlflowClient;
  guard: TrackingGuard;
  recorder: TraceRecorder;
  /** The user's collector (OTEL_EXPORTER_OTLP_ENDPOINT); absent: MLflow only. */
  collector?: TraceCollector | null;
  experimentId: string;
  runId: string;
  serviceVersion: string;
  /**
   * Also call link-to-run: needed when the root span is not in this export (a resumed run adds spans to a
   * trace exported earlier); the `x-mlflow-run-id` header links a trace whose root span is in the request.
   */
  link?: boolean;
}

async function toMlflow(input: ExportTraceInput, body: Uint8Array, mlflowTraceId: string): Promise<void> {
  const { client, guard, experimentId, runId } = input;
  await guard.run(
    'export the trace',
    async () => {
      try {
        await client.exportTraces(experimentId, body, runId);
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

/**
 * Exports the spans recorded since the last export. The `x-mlflow-run-id` header makes the server link
 * traces whose root span is in the request; link-to-run (with `link`) covers the rest and is idempotent.
 * The root span also carries the trace tag `autofix.run_id`, which keeps the trace findable should
 * linking be unavailable. A collector that fails costs a warning, never the MLflow copy.
 */
export async function exportTrace(input: ExportTraceInput): Promise<void> {
  const { recorder, collector, guard } = input;
  const recorded = recorder.drain();
  if (recorded.length === 0) return;
  const spans = sdkSpans(recorder.traceId, recorded, input.serviceVersion);
  // MLflow gets the SDK's OTLP/JSON through the MLflow client (its auth, retries, error statuses), not the
  // OTLP exporter: that one adds OTEL_EXPORTER_OTLP_HEADERS from the environment, the collector's credentials.
  const body = JsonTraceSerializer.serializeRequest(spans);
  await Promise.all([
    body ? toMlflow(input, body, `tr-${recorder.traceId}`) : Promise.resolve(),
    collector
      ? collector.send(spans).catch((e: unknown) => {
          const why = e instanceof Error ? e.message : String(e);
          guard.warn(`the trace could not be sent to the OTLP collector at ${collector.endpoint}: ${why}`);
        })
      : Promise.resolve(),
  ]);
}
