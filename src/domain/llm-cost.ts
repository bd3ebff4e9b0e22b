// What LLM calls cost: model prices (USD per 1M tokens), an investigation's running total, and the ceilings on it.
import { z } from 'zod';
import type { LlmUsage } from './diagnosis.js';

export const ModelPrice = z
  .object({ prompt: z.number().nonnegative(), completion: z.number().nonnegative() })
  .strict();
export type ModelPrice = z.infer<typeof ModelPrice>;
export const PriceTable = z.record(z.string(), ModelPrice);
export type PriceTable = z.infer<typeof PriceTable>;

/** List prices (USD per 1M tokens) as published by the providers; the rule engine costs nothing. */
export const DEFAULT_PRICES: PriceTable = {
  rules: { prompt: 0, completion: 0 },
  'gpt-4o-mini': { prompt: 0.15, completion: 0.6 },
  'gpt-4o': { prompt: 2.5, completion: 10 },
  'gpt-4.1': { prompt: 2, completion: 8 },
  'gpt-4.1-mini': { prompt: 0.4, completion: 1.6 },
  'gpt-4.1-nano': { prompt: 0.1, completion: 0.4 },
  'o4-mini': { prompt: 1.1, completion: 4.4 },
};

/** The model's price, also under its undated name (gpt-4o-2024-08-06 → gpt-4o); null when unknown. */
export function priceOf(prices: PriceTable, model: string): ModelPrice | null {
  return prices[model] ?? prices[model.replace(/-\d{4}-\d{2}-\d{2}$/, '')] ?? null;
}

/** USD for the tokens, or null without a price (a cost we cannot estimate is not zero). */
export function costOf(price: ModelPrice | null, prompt: number, completion: number): number | null {
  return price ? (prompt * price.prompt + completion * price.completion) / 1e6 : null;
}

/** An investigation's LLM calls so far, every round, re-ask and failed call included. */
export const LlmSpend = z.object({
  calls: z.number().int().nonnegative(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  /** Estimated USD; null when a call's model has no price. */
  costUsd: z.number().nonnegative().nullable(),
});
export type LlmSpend = z.infer<typeof LlmSpend>;

export const NO_SPEND: LlmSpend = { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };

/** `spent` plus the calls; one call without a known cost makes the total unknown. */
export function addSpend(spent: LlmSpend, usage: readonly LlmUsage[]): LlmSpend {
  return usage.reduce<LlmSpend>(
    (s, u) => ({
      calls: s.calls + 1,
      promptTokens: s.promptTokens + u.promptTokens,
      completionTokens: s.completionTokens + u.completionTokens,
      costUsd: s.costUsd === null || u.costUsd == null ? null : s.costUsd + u.costUsd,
    }),
    spent,
  );
}

/** AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION and AUTOFIX_LLM_MAX_COST_USD; null: no ceiling. */
export const LlmCeilings = z.object({
  maxTokens: z.number().int().positive().nullable(),
  maxCostUsd: z.number().positive().nullable(),
});
export type LlmCeilings = z.infer<typeof LlmCeilings>;

/** A call not made: which ceiling, what was used, what the next call could have added, the limit. */
export const CeilingHit = z.object({
  ceiling: z.enum(['tokens', 'cost']),
  used: z.number().nonnegative(),
  next: z.number().nonnegative(),
  limit: z.number().positive(),
});
export type CeilingHit = z.infer<typeof CeilingHit>;

/** "$0.00021", "$0.0150", "$1.25": enough digits that a small cost is not shown as $0.00. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  return `$${usd < 0.01 ? usd.toPrecision(2) : usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;
}
