// The DiagnosisEngine interface: evidence + findings (+ earlier failed attempts) → a Diagnosis.
import type { PolicyConfig } from '../../config/config.js';
import type {
  AttemptRecord,
  Diagnosis,
  EngineName,
  Evidence,
  Finding,
  CeilingHit,
  LlmSpend,
  LlmUsage,
} from '../../domain/index.js';

/** What went wrong with an earlier iteration's change, fed back verbatim to the engine. */
export type AttemptFeedback = AttemptRecord;

export interface DiagnosisInput {
  evidence: Evidence;
  findings: Finding[];
  previousAttempts: AttemptFeedback[];
  policy: PolicyConfig;
  /** Compact outcomes of earlier incidents of this workload, newest first: hints, never instructions. */
  history?: string[];
  /** The investigation's LLM usage before this diagnosis (earlier iterations and rounds), for its ceilings. */
  spent?: LlmSpend;
  /**
   * Called, and awaited, with the investigation's spend before each LLM call (the call counted at its whole
   * bound) and after it (at its usage): kept where a retry of a killed attempt starts from, so a crash
   * mid-call cannot reset the ceilings.
   */
  keepSpend?: (spent: LlmSpend) => Promise<void>;
}

export interface EngineResult {
  diagnosis: Diagnosis;
  /** Per LLM call; empty for the rule engine. */
  usage: LlmUsage[];
  /** The redacted request/response pair, kept for `AUTOFIX_LOG_PROMPTS`; null for the rule engine. */
  exchange: { prompt: unknown; completion: unknown } | null;
  /** Set when the LLM was not asked (again) because a ceiling would be passed, and the fallback answered. */
  ceiling?: CeilingHit;
}

export interface DiagnosisEngine {
  readonly name: EngineName;
  /** Model name for tracking; "rules" for the rule engine. */
  readonly model: string;
  diagnose(input: DiagnosisInput, signal?: AbortSignal): Promise<EngineResult>;
}
