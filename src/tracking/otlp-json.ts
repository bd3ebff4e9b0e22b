// Recorded spans → an OTLP/HTTP JSON ExportTraceServiceRequest, the encoding MLflow's /v1/traces accepts besides protobuf.
import type { AttrValue, RecordedSpan } from './trace-recorder.js';

type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number | string }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } };
interface KeyValue {
  key: string;
  value: AnyValue;
}

const STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const;
/** OTLP SpanKind INTERNAL: every span of ours is in-process work. */
const SPAN_KIND_INTERNAL = 1;

/** JSON-ish values → OTLP AnyValue; objects become kvlists so MLflow stores them as JSON objects, not strings. */
export function anyValue(v: unknown): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return { intValue: String(v) };
    return {
      doubleValue: Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity',
    };
  }
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v !== null && typeof v === 'object')
    return { kvlistValue: { values: keyValues(v as Record<string, unknown>) } };
  return { stringValue: v === null || v === undefined ? '' : String(v) };
}

function keyValues(obj: Record<string, unknown>): KeyValue[] {
  return Object.entries(obj)
    .filter(([, v]) => v !== undefined)
    .map(([key, value]) => ({ key, value: anyValue(value) }));
}

function spanJson(traceId: string, s: RecordedSpan): object {
  return {
    traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: SPAN_KIND_INTERNAL,
    startTimeUnixNano: s.startNs.toString(),
    endTimeUnixNano: (s.endNs ?? s.startNs).toString(),
    attributes: keyValues(s.attributes as Record<string, AttrValue>),
    status: { code: STATUS_CODE[s.status], ...(s.statusMessage ? { message: s.statusMessage } : {}) },
  };
}

/** One resource (service kube-autofix), one scope, the spans of one trace. */
export function otlpJson(traceId: string, spans: RecordedSpan[], serviceVersion: string): object {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: keyValues({ 'service.name': 'kube-autofix', 'service.version': serviceVersion }),
        },
        scopeSpans: [
          {
            scope: { name: 'kube-autofix', version: serviceVersion },
            spans: spans.map((s) => spanJson(traceId, s)),
          },
        ],
      },
    ],
  };
}
