// Wraps a primary engine (the LLM) so that when it is unavailable, or a cost ceiling stops it, a fallback (the rule engine) diagnoses.
import type { DiagnosisEngine, DiagnosisInput, EngineResult } from './engine.js';
import { isLlmUnavailable, LlmUnavailableError } from './llm/llm-unavailable-error.js';
import { ceilingNote, LlmCeilingError } from './llm/cost-ceiling.js';

function engineLabel(engine: DiagnosisEngine): string {
  return engine.name === 'rules' ? 'the rule engine' : `the ${engine.name} engine`;
}

/**
 * Only LLM_UNAVAILABLE triggers the fallback: other errors (caller aborts, bugs) propagate unchanged.
 * The result keeps the usage of the failed primary calls, so tracking still records what they cost.
 */
export function createFallbackEngine(primary: DiagnosisEngine, fallback: DiagnosisEngine): DiagnosisEngine {
  return {
    name: primary.name,
    model: primary.model,
    async diagnose(input: DiagnosisInput, signal?: AbortSignal): Promise<EngineResult> {
      try {
        return await primary.diagnose(input, signal);
      } catch (e) {
        if (!isLlmUnavailable(e)) throw e;
        const reason = e instanceof LlmUnavailableError ? e.reason : e.message;
        const spent = e instanceof LlmUnavailableError ? e.usage : [];
        const result = await fallback.diagnose(input, signal);
        const hit = e instanceof LlmCeilingError ? e.hit : null;
        const note = hit
          ? ceilingNote(hit, engineLabel(fallback))
          : `LLM unavailable (${reason}); diagnosed by ${engineLabel(fallback)}`;
        return {
          ...result,
          diagnosis: { ...result.diagnosis, notes: [note, ...result.diagnosis.notes] },
          usage: [...spent, ...result.usage],
          ...(hit ? { ceiling: hit } : {}),
        };
      }
    },
  };
}
