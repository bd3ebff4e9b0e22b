// The user's own OpenTelemetry collector (OTEL_EXPORTER_OTLP_*): the SDK's OTLP/HTTP exporter, one per process.
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpConfig } from '../config/config.js';

export interface TraceCollector {
  /** Where the spans go, without credentials (for warnings). */
  readonly endpoint: string;
  /** Resolves once the collector took the spans; rejects with the exporter's error. */
  send(spans: ReadableSpan[]): Promise<void>;
  shutdown(): Promise<void>;
}

/** A URL as a warning may show it: no user info, no query. */
function shown(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

export function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(spans, (r) =>
      r.code === ExportResultCode.SUCCESS
        ? resolve()
        : reject(r.error ?? new Error('the exporter reported a failure')),
    );
  });
}

export function createTraceCollector(config: OtlpConfig): TraceCollector {
  const exporter = new OTLPTraceExporter({
    url: config.tracesUrl,
    headers: config.headers,
    // Retries (429, 502–504, connection errors) stop at this deadline; the flush's own deadline bounds it too.
    timeoutMillis: config.timeoutMs,
  });
  return {
    endpoint: shown(config.tracesUrl),
    send: (spans) => exportSpans(exporter, spans),
    shutdown: () => exporter.shutdown(),
  };
}
