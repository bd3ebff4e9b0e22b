// The ceilings, checked before a call: used + the call's bound (prompt estimate + max_tokens) against each limit.
import { describe, expect, it } from 'vitest';
import {
  ceilingHit,
  ceilingNote,
  describeCeiling,
  promptTokenBound,
} from '../../../../../src/agent/diagnose/llm/cost-ceiling.js';
import { NO_SPEND, type LlmSpend } from '../../../../../src/domain/index.js';

const spent = (promptTokens: number, completionTokens: number, costUsd: number | null = 0): LlmSpend => ({
  calls: 1,
  promptTokens,
  completionTokens,
  costUsd,
});
const config = (maxTokens: number | null, maxCostUsd: number | null = null) => ({
  ceilings: { maxTokens, maxCostUsd },
  // $1 per 1M tokens both ways: a token costs a micro-dollar.
  price: { prompt: 1, completion: 1 },
  maxOutputTokens: 1000,
});

describe('ceilingHit', () => {
  it('lets a call through while used + its bound stays within the ceiling', () => {
    expect(ceilingHit(config(3000), NO_SPEND, 2000)).toBeNull();
    expect(ceilingHit(config(3000), spent(0, 0), 2000)).toBeNull();
  });

  it('stops a call that would pass the token ceiling, before it is made, not only once passed', () => {
    // 1,500 used, nowhere near 3,000 yet; the next call could add 1,000 prompt + 1,000 completion.
    expect(ceilingHit(config(3000), spent(1200, 300), 1000)).toEqual({
      ceiling: 'tokens',
      used: 1500,
      next: 2000,
      limit: 3000,
    });
  });

  it('stops at once an investigation already over', () => {
    expect(ceilingHit(config(3000), spent(5000, 0), 1)).toMatchObject({ ceiling: 'tokens', used: 5000 });
  });

  it('stops a call that would pass the cost ceiling, priced at the model price', () => {
    const hit = ceilingHit(config(null, 0.01), spent(8000, 500, 0.0085), 1000);
    expect(hit).toEqual({ ceiling: 'cost', used: 0.0085, next: 0.002, limit: 0.01 });
    expect(ceilingHit(config(null, 0.02), spent(8000, 500, 0.0085), 1000)).toBeNull();
  });

  it('counts an unknown cost so far as over the cost ceiling', () => {
    expect(ceilingHit(config(null, 1), spent(1, 1, null), 1)).toMatchObject({ ceiling: 'cost' });
  });

  it('no ceilings: never stops', () => {
    expect(ceilingHit(config(null, null), spent(10 ** 9, 10 ** 9, 10 ** 6), 10 ** 6)).toBeNull();
  });
});

describe('the words', () => {
  it('name the ceiling, the figures and the variable; the note says who answered', () => {
    const hit = { ceiling: 'tokens' as const, used: 9800, next: 4200, limit: 10000 };
    expect(describeCeiling(hit)).toBe(
      'token ceiling: 9,800 tokens used + up to 4,200 for the next call > 10,000 (AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION)',
    );
    expect(ceilingNote(hit, 'the rule engine')).toBe(
      `LLM not asked: the investigation's ${describeCeiling(hit)}; diagnosed by the rule engine`,
    );
    expect(describeCeiling({ ceiling: 'cost', used: 0.0085, next: 0.002, limit: 0.01 })).toBe(
      'cost ceiling: $0.0085 used + up to $0.0020 for the next call > $0.0100 (AUTOFIX_LLM_MAX_COST_USD)',
    );
  });

  it('the prompt bound over-estimates: a token per 3 characters of the messages', () => {
    const messages = [{ role: 'user' as const, content: 'x'.repeat(300) }];
    expect(promptTokenBound(messages)).toBe(Math.ceil(JSON.stringify(messages).length / 3));
    expect(promptTokenBound(messages)).toBeGreaterThan(300 / 4);
  });
});
