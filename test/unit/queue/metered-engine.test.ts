// LLM token usage of every diagnosis reaches /metrics; the diagnosis itself passes through untouched.
import { describe, expect, it } from 'vitest';
import type { DiagnosisEngine, EngineResult } from '../../../src/agent/diagnose/engine.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { tokenMeteredEngine } from '../../../src/queue/metered-engine.js';

describe('tokenMeteredEngine', () => {
  it('counts prompt and completion tokens per model', async () => {
    const result = {
      diagnosis: {
        category: 'oom_killed',
        rootCause: 'r',
        summary: 's',
        confidence: 0.9,
        engine: 'llm',
        change: null,
        humanAction: null,
        notes: [],
      },
      usage: [
        { model: 'gpt-x', latencySeconds: 1, promptTokens: 100, completionTokens: 20, attempts: 1 },
        { model: 'gpt-x', latencySeconds: 1, promptTokens: 50, completionTokens: 5, attempts: 2 },
      ],
      exchange: null,
    } satisfies EngineResult;
    const inner: DiagnosisEngine = { name: 'llm', model: 'gpt-x', diagnose: async () => result };
    const metrics = createMetrics({ defaults: false });
    const engine = tokenMeteredEngine(inner, metrics);
    expect(engine.name).toBe('llm');
    expect(await engine.diagnose({} as never)).toBe(result);
    const text = await metrics.registry.metrics();
    expect(text).toContain('autofix_llm_tokens_total{kind="prompt",model="gpt-x"} 150');
    expect(text).toContain('autofix_llm_tokens_total{kind="completion",model="gpt-x"} 25');
  });
});
