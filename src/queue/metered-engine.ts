// Counts the LLM tokens every diagnosis spends (the fallback engine reports failed calls' usage too).
import type { DiagnosisEngine } from '../agent/engines/engine.js';
import type { Metrics } from '../observability/metrics.js';

export function meteredEngine(engine: DiagnosisEngine, metrics: Pick<Metrics, 'llmTokens'>): DiagnosisEngine {
  return {
    name: engine.name,
    model: engine.model,
    async diagnose(input, signal) {
      const result = await engine.diagnose(input, signal);
      for (const u of result.usage) {
        metrics.llmTokens.inc({ kind: 'prompt', model: u.model }, u.promptTokens);
        metrics.llmTokens.inc({ kind: 'completion', model: u.model }, u.completionTokens);
      }
      return result;
    },
  };
}
