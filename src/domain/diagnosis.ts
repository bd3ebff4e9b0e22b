// An engine's verdict: what is wrong, why, how sure, and the change it proposes (if any is safe).
import { z } from 'zod';
import { Category } from './category.js';
import { Change } from './change.js';

export const EngineName = z.enum(['rules', 'llm']);
export type EngineName = z.infer<typeof EngineName>;

export const Diagnosis = z.object({
  category: Category,
  rootCause: z.string(),
  summary: z.string(),
  /** 0..1; each engine documents how it computes this. */
  confidence: z.number().min(0).max(1),
  engine: EngineName,
  change: Change.nullable(),
  /** When no safe automatic change exists: the exact thing a human must do. */
  humanAction: z.string().nullable(),
  /** Why the engine fell back or what it could not see, shown to the user. */
  notes: z.array(z.string()),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

/** What a diagnosis says, without its change or human action: what results, threads and run stories show. */
export const DiagnosisSummary = Diagnosis.pick({
  category: true,
  rootCause: true,
  summary: true,
  confidence: true,
  engine: true,
});
export type DiagnosisSummary = z.infer<typeof DiagnosisSummary>;

export function summarizeDiagnosis(d: Diagnosis): DiagnosisSummary {
  const { category, rootCause, summary, confidence, engine } = d;
  return { category, rootCause, summary, confidence, engine };
}

/** Usage of one LLM call, recorded per iteration. */
export const LlmUsage = z.object({
  model: z.string(),
  latencySeconds: z.number(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  attempts: z.number().int(),
  /** Estimated USD at the configured price; null (or absent, in older records) when the model has none. */
  costUsd: z.number().nullable().optional(),
  /** The model the server says answered (`completion.model`); null when none answered, absent in older records. */
  responseModel: z.string().nullable().optional(),
});
export type LlmUsage = z.infer<typeof LlmUsage>;
