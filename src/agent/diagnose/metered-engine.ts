// One wrapper that reports the LLM usage of every diagnosis (the fallback engine reports failed calls' usage too).
import type { LlmUsage } from '../../domain/index.js';
import type { DiagnosisEngine } from './engine.js';

/** Calls `onDiagnosis` with each diagnosis's LLM calls (empty for the rule engine); the result passes through untouched. */
export function meteredEngine(
  engine: DiagnosisEngine,
  onDiagnosis: (usage: readonly LlmUsage[]) => void,
): DiagnosisEngine {
  return {
    name: engine.name,
    model: engine.model,
    async diagnose(input, signal) {
      const result = await engine.diagnose(input, signal);
      onDiagnosis(result.usage);
      return result;
    },
  };
}
