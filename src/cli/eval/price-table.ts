// Estimated LLM cost per model (USD per million tokens), overridable from a JSON file.
import { readFileSync } from 'node:fs';
import { AutofixError, DEFAULT_PRICES, ErrorCode, PriceTable, costOf, priceOf } from '../../domain/index.js';

export { DEFAULT_PRICES, PriceTable } from '../../domain/index.js';

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
  return costOf(priceOf(prices, model), prompt, completion);
}
