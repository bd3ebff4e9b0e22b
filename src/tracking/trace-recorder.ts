// Records an investigation's spans in memory (ids, timing, GenAI attributes) until they are exported to MLflow.
import { createHash, randomBytes } from 'node:crypto';
import type { SpanHandle, SpanKind } from './tracker.js';

export type AttrValue = string | number | boolean | object;

export interface RecordedSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startNs: bigint;
  endNs: bigint | null;
  attributes: Record<string, AttrValue>;
  status: 'UNSET' | 'OK' | 'ERROR';
  statusMessage: string | null;
}

export interface RecordingSpan extends SpanHandle {
  readonly spanId: string;
  /** Also takes objects (span inputs/outputs), which MLflow stores as JSON. */
  setAttributes(attrs: Record<string, AttrValue>): void;
}

/** Work measured elsewhere: when it started (epoch ms) and how long it took. */
export interface SpanTiming {
  startMs: number;
  durationMs: number;
}

const msToNs = (ms: number): bigint => BigInt(Math.round(ms * 1000)) * 1000n;

export interface TraceRecorder {
  /** 32 lowercase hex digits (OTLP trace id). */
  readonly traceId: string;
  /**
   * The trace's real ids, learnt after spans were recorded (they derive from the run id, which the
   * server answers while the investigation already runs): the trace id, and span ids to rename
   * (provisional → real), applied to every span handed over from now on.
   */
  bind(traceId: string, renames: Record<string, string>): void;
  startSpan(
    name: string,
    kind: SpanKind,
    attrs: Record<string, AttrValue>,
    parentSpanId: string | null,
    spanId?: string,
    at?: SpanTiming,
  ): RecordingSpan;
  /** Ends still-open spans and hands over every span not handed over before. */
  drain(): RecordedSpan[];
}

/** Our span kinds → MLflow span types (`mlflow.spanType`). */
export const MLFLOW_SPAN_TYPE: Record<SpanKind, string> = {
  chain: 'CHAIN',
  tool: 'TOOL',
  llm: 'LLM',
  retriever: 'RETRIEVER',
  agent: 'AGENT',
  unknown: 'UNKNOWN',
};

const MAX_ATTR_CHARS = 16_000;
const HEX32 = /^[0-9a-f]{32}$/;

/** Wall clock in ns with sub-millisecond resolution (span order inside one ms matters in the trace view). */
export function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

export function randomSpanId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * The trace of an investigation is keyed by its parent run: the run id (32 hex digits in MLflow) is
 * the trace id, so a later process (the apply step) adds its spans to the same trace.
 */
export function traceIdForRun(runId: string): string {
  const id = runId.toLowerCase();
  return HEX32.test(id) ? id : createHash('sha256').update(runId).digest('hex').slice(0, 32);
}

/** The root span's id, derivable from the run id alone for the same reason. */
export function rootSpanIdForRun(runId: string): string {
  return createHash('sha256').update(`root:${runId}`).digest('hex').slice(0, 16);
}

function clip(value: AttrValue): AttrValue {
  return typeof value === 'string' && value.length > MAX_ATTR_CHARS
    ? `${value.slice(0, MAX_ATTR_CHARS)}…[truncated]`
    : value;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 1000);
}

export function createTraceRecorder(initialTraceId: string): TraceRecorder {
  const pending: RecordedSpan[] = [];
  let traceId = initialTraceId;
  let renames: Record<string, string> = {};
  const renamed = (id: string): string => renames[id] ?? id;

  function startSpan(
    name: string,
    kind: SpanKind,
    attrs: Record<string, AttrValue>,
    parentSpanId: string | null,
    spanId: string = randomSpanId(),
    at?: SpanTiming,
  ): RecordingSpan {
    const startNs = at ? msToNs(at.startMs) : nowNs();
    const span: RecordedSpan = {
      spanId,
      parentSpanId,
      name,
      startNs,
      endNs: null,
      attributes: { 'mlflow.spanType': MLFLOW_SPAN_TYPE[kind] },
      status: 'UNSET',
      statusMessage: null,
    };
    const set = (a: Record<string, AttrValue>): void => {
      if (span.endNs !== null) return;
      for (const [k, v] of Object.entries(a)) span.attributes[k] = clip(v);
    };
    set(attrs);
    pending.push(span);
    return {
      spanId,
      setAttributes: set,
      startChild: (childName, childKind, childAttrs = {}, childAt) =>
        startSpan(childName, childKind, childAttrs, spanId, randomSpanId(), childAt),
      setUsage(usage) {
        // GenAI semantic conventions: MLflow derives the token usage and the model from these.
        set({
          'gen_ai.operation.name': 'chat',
          // The engine speaks the OpenAI chat-completions API (hosted or a compatible local server). Not
          // gen_ai.provider.name: with it MLflow 3.17 fetches the provider's price list from the internet on ingest.
          'gen_ai.system': 'openai',
          'gen_ai.request.model': usage.model,
          'gen_ai.usage.input_tokens': Math.trunc(usage.promptTokens),
          'gen_ai.usage.output_tokens': Math.trunc(usage.completionTokens),
          ...(usage.responseModel ? { 'gen_ai.response.model': usage.responseModel } : {}),
        });
      },
      end(error?: unknown) {
        if (span.endNs !== null) return;
        span.endNs = at ? startNs + msToNs(at.durationMs) : nowNs();
        span.status = error === undefined ? 'OK' : 'ERROR';
        span.statusMessage = error === undefined ? null : errorText(error);
      },
    };
  }

  function drain(): RecordedSpan[] {
    const now = nowNs();
    for (const span of pending) if (span.endNs === null) span.endNs = now;
    return pending.splice(0, pending.length).map((span) => ({
      ...span,
      spanId: renamed(span.spanId),
      parentSpanId: span.parentSpanId === null ? null : renamed(span.parentSpanId),
    }));
  }

  return {
    get traceId() {
      return traceId;
    },
    bind(id, next) {
      traceId = id;
      renames = { ...renames, ...next };
    },
    startSpan,
    drain,
  };
}
