// The footer's LLM line: an investigation's tokens and estimated cost (nothing for the rule engine alone).
import { formatUsd, type LlmSpend } from '../../domain/index.js';

const count = (n: number): string => n.toLocaleString('en-US');

/** ":abacus: LLM 1,234 tokens (1,000 prompt + 234 completion, 2 calls) · est. $0.00021"; '' without LLM. */
export function llmUsageText(llm: LlmSpend | null | undefined): string {
  if (!llm) return '';
  const tokens = llm.promptTokens + llm.completionTokens;
  const calls = `${llm.calls} call${llm.calls === 1 ? '' : 's'}`;
  // An unknown price is not a free model: it says so rather than $0.
  const cost =
    llm.costUsd === null ? 'cost unknown (no price for the model)' : `est. ${formatUsd(llm.costUsd)}`;
  return `:abacus: LLM ${count(tokens)} tokens (${count(llm.promptTokens)} prompt + ${count(llm.completionTokens)} completion, ${calls}) · ${cost}`;
}
