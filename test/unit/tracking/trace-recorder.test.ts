// Spans as recorded and as sent to MLflow's OTLP endpoint (JSON encoding, GenAI attributes, span types).
import { describe, expect, it } from 'vitest';
import { anyValue, otlpJson } from '../../../src/tracking/otlp-json.js';
import {
  createTraceRecorder,
  rootSpanIdForRun,
  traceIdForRun,
} from '../../../src/tracking/trace-recorder.js';

describe('trace recorder', () => {
  it('uses the run id as the trace id, and derives the root span id from it', () => {
    const run = '6eb4d651b18d43b5b115843dbddbfbc0';
    expect(traceIdForRun(run)).toBe(run);
    expect(traceIdForRun('not-hex')).toMatch(/^[0-9a-f]{32}$/);
    expect(rootSpanIdForRun(run)).toMatch(/^[0-9a-f]{16}$/);
    expect(rootSpanIdForRun(run)).toBe(rootSpanIdForRun(run));
  });

  it('records span type, GenAI usage, status and parentage', () => {
    const rec = createTraceRecorder('ab'.repeat(16));
    const root = rec.startSpan('investigate', 'agent', {}, null, '00'.repeat(8));
    const llm = rec.startSpan('llm', 'llm', { temperature: 0 }, root.spanId);
    llm.setUsage({ model: 'gpt-4o-mini', promptTokens: 120, completionTokens: 30 });
    llm.end(new Error('rate limited'));
    llm.setAttributes({ late: true });
    const spans = rec.drain();
    expect(spans.map((s) => [s.name, s.parentSpanId, s.status])).toEqual([
      ['investigate', null, 'UNSET'],
      ['llm', '00'.repeat(8), 'ERROR'],
    ]);
    expect(spans[1]!.attributes).toEqual({
      'mlflow.spanType': 'LLM',
      temperature: 0,
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 30,
    });
    expect(spans[1]!.statusMessage).toBe('Error: rate limited');
    expect(spans[1]!.endNs! >= spans[1]!.startNs).toBe(true);
    // A span left open is closed by drain, its status left UNSET; a second drain has nothing new.
    expect(spans[0]!.endNs).not.toBeNull();
    expect(rec.drain()).toEqual([]);
  });
});

describe('otlpJson', () => {
  it('encodes values the way OTLP JSON does', () => {
    expect(anyValue(3)).toEqual({ intValue: '3' });
    expect(anyValue(0.5)).toEqual({ doubleValue: 0.5 });
    expect(anyValue(Number.NaN)).toEqual({ doubleValue: 'NaN' });
    expect(anyValue(true)).toEqual({ boolValue: true });
    expect(anyValue({ a: [1, 'x'] })).toEqual({
      kvlistValue: {
        values: [{ key: 'a', value: { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'x' }] } } }],
      },
    });
  });

  it('builds one resource with hex ids, nanosecond strings and status codes', () => {
    const rec = createTraceRecorder('ab'.repeat(16));
    rec.startSpan('root', 'chain', {}, null, '11'.repeat(8)).end();
    const body = otlpJson('ab'.repeat(16), rec.drain(), '1.2.3') as {
      resourceSpans: { resource: unknown; scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    };
    const span = body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span).toMatchObject({
      traceId: 'ab'.repeat(16),
      spanId: '11'.repeat(8),
      name: 'root',
      kind: 1,
      status: { code: 1 },
    });
    expect(span).not.toHaveProperty('parentSpanId');
    expect(span.startTimeUnixNano).toMatch(/^\d{19}$/);
    expect(body.resourceSpans[0]!.resource).toEqual({
      attributes: [
        { key: 'service.name', value: { stringValue: 'kube-autofix' } },
        { key: 'service.version', value: { stringValue: '1.2.3' } },
      ],
    });
  });
});
