// The LLM client's settings: defaults that fit a CPU model, each variable checked, and checked against the
// others; the cost ceilings and the model's price (unset = no ceiling).
import { describe, expect, it } from 'vitest';
import { LLM_DEFAULTS, loadConfig } from '../../../src/config/config.js';
import { AutofixError, ErrorCode } from '../../../src/domain/index.js';

const KEY = { OPENAI_API_KEY: 'sk-test' };

function errorOf(env: Record<string, string>): AutofixError {
  try {
    loadConfig({ ...KEY, ...env });
  } catch (e) {
    if (e instanceof AutofixError) return e;
    throw e;
  }
  throw new Error('expected a configuration error');
}

describe('LLM settings', () => {
  it('defaults: a request outlives one CPU diagnosis (~115 s seen), a bounded output, low-temperature sampling', () => {
    const llm = loadConfig(KEY).llm!;
    expect(llm).toMatchObject({
      timeoutMs: 180_000,
      diagnosisTimeoutMs: 360_000,
      maxOutputTokens: 1024,
      sampling: LLM_DEFAULTS.sampling,
    });
    expect(llm.timeoutMs).toBeGreaterThan(115_000);
    expect(llm.diagnosisTimeoutMs).toBeGreaterThanOrEqual(llm.timeoutMs);
  });

  it('reads every variable', () => {
    const llm = loadConfig({
      ...KEY,
      AUTOFIX_MODEL: 'smollm2',
      AUTOFIX_LLM_TIMEOUT_MS: '240000',
      AUTOFIX_LLM_DIAGNOSIS_TIMEOUT_MS: '600000',
      AUTOFIX_LLM_MAX_OUTPUT_TOKENS: '512',
      AUTOFIX_LLM_TEMPERATURE: '0',
      AUTOFIX_LLM_TOP_P: '0.5',
      AUTOFIX_LLM_FREQUENCY_PENALTY: '-0.5',
    }).llm;
    expect(llm).toMatchObject({
      model: 'smollm2',
      timeoutMs: 240_000,
      diagnosisTimeoutMs: 600_000,
      maxOutputTokens: 512,
      sampling: { temperature: 0, topP: 0.5, frequencyPenalty: -0.5 },
    });
  });

  it('a request timeout above the default diagnosis limit raises the limit with it', () => {
    expect(loadConfig({ ...KEY, AUTOFIX_LLM_TIMEOUT_MS: '500000' }).llm?.diagnosisTimeoutMs).toBe(500_000);
  });

  it.each([
    ['AUTOFIX_LLM_TIMEOUT_MS', '500'],
    ['AUTOFIX_LLM_DIAGNOSIS_TIMEOUT_MS', 'soon'],
    ['AUTOFIX_LLM_MAX_OUTPUT_TOKENS', '10'],
    ['AUTOFIX_LLM_TEMPERATURE', '3'],
    ['AUTOFIX_LLM_TEMPERATURE', 'hot'],
    ['AUTOFIX_LLM_TOP_P', '0'],
    ['AUTOFIX_LLM_FREQUENCY_PENALTY', '1e1'],
  ])('names %s when it is invalid (%s)', (name, value) => {
    const e = errorOf({ [name]: value });
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(name);
  });

  it('refuses a diagnosis limit shorter than one request', () => {
    const e = errorOf({ AUTOFIX_LLM_TIMEOUT_MS: '200000', AUTOFIX_LLM_DIAGNOSIS_TIMEOUT_MS: '100000' });
    expect(e.message).toContain('AUTOFIX_LLM_DIAGNOSIS_TIMEOUT_MS');
    expect(e.message).toContain('at least AUTOFIX_LLM_TIMEOUT_MS (200000)');
  });
});

describe('LLM ceilings', () => {
  it('unset (or empty): no ceiling; the built-in price of the default model', () => {
    expect(loadConfig(KEY).llm).toMatchObject({
      ceilings: { maxTokens: null, maxCostUsd: null },
      price: { prompt: 0.15, completion: 0.6 },
    });
    const empty = { AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION: '', AUTOFIX_LLM_MAX_COST_USD: ' ' };
    expect(loadConfig({ ...KEY, ...empty }).llm?.ceilings).toEqual({ maxTokens: null, maxCostUsd: null });
  });

  it('reads both ceilings and a price for a model the table lacks', () => {
    const llm = loadConfig({
      ...KEY,
      AUTOFIX_MODEL: 'smollm2',
      AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION: '20000',
      AUTOFIX_LLM_MAX_COST_USD: '0.05',
      AUTOFIX_LLM_PRICE_PER_MILLION_TOKENS: '0.2, 0.8',
    }).llm;
    expect(llm).toMatchObject({
      ceilings: { maxTokens: 20_000, maxCostUsd: 0.05 },
      price: { prompt: 0.2, completion: 0.8 },
    });
  });

  it('a model without a price: the cost is unknown (null), not zero', () => {
    expect(loadConfig({ ...KEY, AUTOFIX_MODEL: 'smollm2' }).llm?.price).toBeNull();
    // A dated name finds its family's price.
    expect(loadConfig({ ...KEY, AUTOFIX_MODEL: 'gpt-4o-2024-08-06' }).llm?.price).toEqual({
      prompt: 2.5,
      completion: 10,
    });
  });

  it.each([
    ['AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION', '0', /a positive whole number of tokens/],
    ['AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION', '-5', /a positive whole number of tokens/],
    ['AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION', '1.5', /a positive whole number of tokens/],
    ['AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION', '10k', /a positive whole number of tokens/],
    ['AUTOFIX_LLM_MAX_COST_USD', '0', /a positive number of US dollars/],
    ['AUTOFIX_LLM_MAX_COST_USD', '-1', /a positive number of US dollars/],
    ['AUTOFIX_LLM_MAX_COST_USD', '$5', /a positive number of US dollars/],
    ['AUTOFIX_LLM_MAX_COST_USD', '1e3', /a positive number of US dollars/],
    ['AUTOFIX_LLM_PRICE_PER_MILLION_TOKENS', '0.15', /PROMPT,COMPLETION in USD per 1M tokens/],
    ['AUTOFIX_LLM_PRICE_PER_MILLION_TOKENS', '0.15,-1', /PROMPT,COMPLETION/],
    ['AUTOFIX_LLM_PRICE_PER_MILLION_TOKENS', 'cheap,free', /PROMPT,COMPLETION/],
    ['AUTOFIX_LLM_PRICE_PER_MILLION_TOKENS', '1,2,3', /PROMPT,COMPLETION/],
  ])('%s=%s is refused, naming the variable and what it takes', (name, value, expected) => {
    const e = errorOf({ [name]: value });
    expect(e.code).toBe(ErrorCode.ConfigInvalid);
    expect(e.message).toContain(name);
    expect(e.message).toMatch(expected);
    expect(e.message).toContain(`"${value}"`);
  });

  it('a cost ceiling for a model without a price is refused at start: it could never stop anything', () => {
    const e = errorOf({ AUTOFIX_MODEL: 'smollm2', AUTOFIX_LLM_MAX_COST_USD: '0.05' });
    expect(e.message).toMatch(
      /AUTOFIX_LLM_MAX_COST_USD is invalid: expected a price for AUTOFIX_MODEL "smollm2"/,
    );
    expect(e.message).toContain('AUTOFIX_LLM_PRICE_PER_MILLION_TOKENS');
    // With a price it starts.
    const ok = { AUTOFIX_MODEL: 'smollm2', AUTOFIX_LLM_MAX_COST_USD: '0.05' };
    expect(
      loadConfig({ ...KEY, ...ok, AUTOFIX_LLM_PRICE_PER_MILLION_TOKENS: '0,0' }).llm?.ceilings.maxCostUsd,
    ).toBe(0.05);
  });
});
