// The per-investigation ceilings on LLM tokens and cost, checked before every call against the call's bound.
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { LlmConfig } from '../../../config/config.js';
import { costOf, formatUsd, type CeilingHit, type LlmSpend } from '../../../domain/index.js';
import { LlmUnavailableError } from './llm-unavailable-error.js';

/**
 * A prompt's tokens, over-estimated: one per 3 characters of its JSON (tokenizers give about 4 for
 * English, fewer for JSON and YAML), so a call the ceiling lets through cannot pass it by much.
 */
export function promptTokenBound(messages: readonly ChatCompletionMessageParam[]): number {
  return Math.ceil(JSON.stringify(messages).length / 3);
}

/**
 * The ceiling the next call would pass, if any: what was used plus the call's bound (its prompt and
 * max_tokens of completion) against each limit. An investigation already over stops at once.
 */
export function ceilingHit(
  config: Pick<LlmConfig, 'ceilings' | 'price' | 'maxOutputTokens'>,
  spent: LlmSpend,
  promptBound: number,
): CeilingHit | null {
  const { maxTokens, maxCostUsd } = config.ceilings;
  if (maxTokens !== null) {
    const used = spent.promptTokens + spent.completionTokens;
    const next = promptBound + config.maxOutputTokens;
    if (used + next > maxTokens) return { ceiling: 'tokens', used, next, limit: maxTokens };
  }
  if (maxCostUsd !== null) {
    // Config refuses a cost ceiling without a price; an unknown cost so far counts as over.
    const used = spent.costUsd ?? Number.POSITIVE_INFINITY;
    const next = costOf(config.price, promptBound, config.maxOutputTokens) ?? Number.POSITIVE_INFINITY;
    if (used + next > maxCostUsd) return { ceiling: 'cost', used, next, limit: maxCostUsd };
  }
  return null;
}

/** What `spent` becomes if the next call uses its whole bound (its prompt bound and max_tokens of completion). */
export function reservedSpend(
  config: Pick<LlmConfig, 'price' | 'maxOutputTokens'>,
  spent: LlmSpend,
  promptBound: number,
): LlmSpend {
  const next = costOf(config.price, promptBound, config.maxOutputTokens);
  return {
    calls: spent.calls + 1,
    promptTokens: spent.promptTokens + promptBound,
    completionTokens: spent.completionTokens + config.maxOutputTokens,
    costUsd: spent.costUsd === null || next === null ? null : spent.costUsd + next,
  };
}

const VARIABLE: Record<CeilingHit['ceiling'], string> = {
  tokens: 'AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION',
  cost: 'AUTOFIX_LLM_MAX_COST_USD',
};

const tokens = (n: number): string => n.toLocaleString('en-US');
const usd = (n: number): string => (Number.isFinite(n) ? formatUsd(n) : 'an unknown amount');

/** "token ceiling: 9,800 used + up to 4,200 for the next call > 10,000 (AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION)" */
export function describeCeiling(hit: CeilingHit): string {
  const f = hit.ceiling === 'tokens' ? tokens : usd;
  const unit = hit.ceiling === 'tokens' ? ' tokens' : '';
  return `${hit.ceiling === 'tokens' ? 'token' : 'cost'} ceiling: ${f(hit.used)}${unit} used + up to ${f(hit.next)} for the next call > ${f(hit.limit)} (${VARIABLE[hit.ceiling]})`;
}

/** The investigation stopped asking the model: the fallback engine answers, and its note says why. */
export class LlmCeilingError extends LlmUnavailableError {
  readonly hit: CeilingHit;

  constructor(hit: CeilingHit, usage: LlmUnavailableError['usage']) {
    super(`the investigation's ${describeCeiling(hit)}`, null, usage, {
      hint: `Raise ${VARIABLE[hit.ceiling]} or leave it unset for no ceiling.`,
    });
    this.name = 'LlmCeilingError';
    this.hit = hit;
  }
}

/** The note the diagnosis carries when the rule engine answered because of a ceiling. */
export function ceilingNote(hit: CeilingHit, fallback: string): string {
  return `LLM not asked: the investigation's ${describeCeiling(hit)}; diagnosed by ${fallback}`;
}
