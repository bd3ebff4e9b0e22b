// Estimated LLM cost per model (USD per million tokens), overridable from a JSON file.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AutofixError, ErrorCode } from '../../domain/index.js';

export const ModelPrice = z
  .object({ prompt: z.number().nonnegative(), completion: z.number().nonnegative() })
  .strict();
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

/** The defaults with a file's entries on top (`{"my-model": {"prompt": 1, "completion": 2}}`). */
export function loadPrices(file: string | undefined): PriceTable {
  if (!file) return DEFAULT_PRICES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AutofixError(ErrorCode.BadInput, `Cannot read the price table ${file}: ${String(e)}`, {
      hint: 'Pass a JSON file mapping model names to {"prompt": USD per 1M, "completion": USD per 1M}.',
    });
  }
  const table = PriceTable.safeParse(parsed);
  if (!table.success)
    throw new AutofixError(
      ErrorCode.BadInput,
      `Price table ${file}: ${table.error.issues[0]?.message ?? 'invalid'}`,
      {
        hint: 'Each model maps to {"prompt": USD per 1M tokens, "completion": USD per 1M tokens}.',
      },
    );
  return { ...DEFAULT_PRICES, ...table.data };
}

/** Cost in USD, or null when the model has no price (a cost we cannot estimate is not zero). */
export function estimateCost(
  prices: PriceTable,
  model: string,
  prompt: number,
  completion: number,
): number | null {
  const p = prices[model] ?? prices[model.replace(/-\d{4}-\d{2}-\d{2}$/, '')];
  if (!p) return null;
  return (prompt * p.prompt + completion * p.completion) / 1e6;
}
