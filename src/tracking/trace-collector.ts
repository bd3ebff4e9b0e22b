// The user's own OpenTelemetry collector (OTEL_EXPORTER_OTLP_*): the SDK's OTLP/HTTP exporter, one per process.
// The exporter is loaded on the first export: a process that never exports (the bot) does not carry it.
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

async function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
  const { ExportResultCode } = await import('@opentelemetry/core');
  return new Promise((resolve, reject) => {
    exporter.export(spans, (r) =>
      r.code === ExportResultCode.SUCCESS
        ? resolve()
        : reject(r.error ?? new Error('the exporter reported a failure')),
    );
  });
}

export function createTraceCollector(config: OtlpConfig): TraceCollector {
  let exporter: Promise<SpanExporter> | null = null;
  const load = (): Promise<SpanExporter> =>
    (exporter ??= import('@opentelemetry/exporter-trace-otlp-http').then(
      ({ OTLPTraceExporter }) =>
        new OTLPTraceExporter({
          url: config.tracesUrl,
          headers: config.headers,
          // Retries (429, 502–504, connection errors) stop at this deadline; the flush's own deadline bounds it too.
          timeoutMillis: config.timeoutMs,
        }),
    ));
  return {
    endpoint: shown(config.tracesUrl),
    send: async (spans) => exportSpans(await load(), spans),
    shutdown: async () => {
      if (exporter) await (await exporter).shutdown();
    },
  };
}
