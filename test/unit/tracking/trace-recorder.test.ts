// Spans as recorded (ids, GenAI attributes, span types); what the SDK sends of them is export-trace.test.ts.
import { describe, expect, it } from 'vitest';
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
      'gen_ai.system': 'openai',
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
