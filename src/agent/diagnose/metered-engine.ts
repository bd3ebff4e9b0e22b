// One wrapper that reports the LLM usage of every diagnosis (the fallback engine reports failed calls' usage too).
import type { LlmUsage } from '../../domain/index.js';
import type { DiagnosisEngine, EngineResult } from './engine.js';

/** Calls `onDiagnosis` with each diagnosis's LLM calls (empty for the rule engine) and its result, which passes through untouched. */
export function meteredEngine(
  engine: DiagnosisEngine,
  onDiagnosis: (usage: readonly LlmUsage[], result: EngineResult) => void,
): DiagnosisEngine {
  return {
    name: engine.name,
    model: engine.model,
    async diagnose(input, signal) {
      const result = await engine.diagnose(input, signal);
      onDiagnosis(result.usage, result);
      return result;
    },
  };
}
