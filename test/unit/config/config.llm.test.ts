// The LLM client's settings: defaults that fit a CPU model, each variable checked, and checked against the others.
import { describe, expect, it } from 'vitest';
import { LLM_DEFAULTS, loadConfig } from '../../../src/config/config.js';
import { AutofixError } from '../../../src/domain/index.js';

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
