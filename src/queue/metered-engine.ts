// The worker's engine reports every diagnosis's LLM tokens to /metrics (autofix_llm_tokens_total).
import type { DiagnosisEngine } from '../agent/diagnose/engine.js';
import { meteredEngine } from '../agent/diagnose/metered-engine.js';
import type { Metrics } from '../observability/metrics.js';

export function tokenMeteredEngine(
  engine: DiagnosisEngine,
  metrics: Pick<Metrics, 'llmTokens'>,
): DiagnosisEngine {
  return meteredEngine(engine, (usage) => {
    for (const u of usage) {
      metrics.llmTokens.inc({ kind: 'prompt', model: u.model }, u.promptTokens);
      metrics.llmTokens.inc({ kind: 'completion', model: u.model }, u.completionTokens);
    }
  });
}
