// Recorded spans → OpenTelemetry SDK spans, redacted once: the one list every exporter (MLflow, the user's collector) gets.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type HrTime,
} from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  type IdGenerator,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { redactObject, redactText } from '../safety/redact.js';
import type { AttrValue, RecordedSpan } from './trace-recorder.js';

export const SERVICE_NAME = 'kube-autofix';

const NS_PER_S = 1_000_000_000n;
const hrTime = (ns: bigint): HrTime => [Number(ns / NS_PER_S), Number(ns % NS_PER_S)];

/**
 * OTel attribute values are primitives: objects (span inputs/outputs) go as JSON text, which MLflow stores
 * as the object again. Every string is redacted here, whatever produced it, before any exporter sees it.
 */
function attributeValue(v: AttrValue): string | number | boolean {
  if (typeof v === 'string') return redactText(v);
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(redactObject(v));
}

export function otelAttributes(attrs: Record<string, AttrValue>): Attributes {
  return Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, attributeValue(v)]));
}

/**
 * The SDK's spans for `spans` of trace `traceId`, with their recorded ids, times and status. A provider per
 * call, never registered globally: its id generator hands out the recorded ids, so concurrent
 * investigations of one worker share nothing.
 */
export function sdkSpans(
  traceId: string,
  spans: readonly RecordedSpan[],
  serviceVersion: string,
): ReadableSpan[] {
  let nextSpanId = '';
  const ids: IdGenerator = { generateTraceId: () => traceId, generateSpanId: () => nextSpanId };
  const ended: ReadableSpan[] = [];
  const collect: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => void ended.push(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE_NAME, 'service.version': serviceVersion }),
    idGenerator: ids,
    spanProcessors: [collect],
    // Our spans hold few attributes; the limit that matters (attribute length) is the recorder's.
    spanLimits: { attributeCountLimit: 1000 },
  });
  const tracer = provider.getTracer(SERVICE_NAME, serviceVersion);
  for (const s of spans) {
    nextSpanId = s.spanId;
    const parent =
      s.parentSpanId === null
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, {
            traceId,
            spanId: s.parentSpanId,
            traceFlags: TraceFlags.SAMPLED,
          });
    const span = tracer.startSpan(
      s.name,
      { kind: SpanKind.INTERNAL, startTime: hrTime(s.startNs), attributes: otelAttributes(s.attributes) },
      parent,
    );
    if (s.status === 'OK') span.setStatus({ code: SpanStatusCode.OK });
    if (s.status === 'ERROR')
      span.setStatus({
        code: SpanStatusCode.ERROR,
        ...(s.statusMessage ? { message: redactText(s.statusMessage) } : {}),
      });
    span.end(hrTime(s.endNs ?? s.startNs));
  }
  return ended;
}
