// LLM endpoints without strict json_schema: fall back to json_object (schema in the prompt), remembered per process.
import { afterEach, describe, expect, it } from 'vitest';
import type { LlmConfig } from '../../../../../src/config/config.js';
import { loadConfig } from '../../../../../src/config/config.js';
import { createLlmEngine } from '../../../../../src/agent/diagnose/llm/llm-engine.js';
import { AutofixError } from '../../../../../src/domain/index.js';
import { GOOD_FIX, oomFinding, oomKilledEvidence, POLICY } from '../../../../fixtures/oom-killed-evidence.js';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../../../../tools/stand-ins/openai-stand-in.js';
import { llmConfig } from '../../../../fixtures/llm-config.js';

const FAST_RETRIES = { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1_000 };
let standIn: OpenAiStandIn | null = null;
afterEach(async () => {
  await standIn?.close();
  standIn = null;
});

function engine(s: OpenAiStandIn, responseFormat?: LlmConfig['responseFormat']) {
  const config = llmConfig(s, { model: 'local-model', ...(responseFormat ? { responseFormat } : {}) });
  return createLlmEngine({ config, logPrompts: false, retryDelays: FAST_RETRIES });
}

const input = () => ({
  evidence: oomKilledEvidence(),
  findings: [oomFinding],
  previousAttempts: [],
  policy: POLICY,
});
const formatOf = (s: OpenAiStandIn, i: number) =>
  (s.requests[i]?.body as { response_format: { type: string } }).response_format.type;

describe('response format fallback', () => {
  it('falls back to json_object with the schema in the prompt when json_schema is refused with a 400', async () => {
    const s = (standIn = await startOpenAiStandIn({ schemaSupport: 'json_object_only' }));
    s.push({ json: GOOD_FIX });
    const result = await engine(s).diagnose(input());
    expect(result.diagnosis).toMatchObject({ category: 'oom_killed', engine: 'llm' });
    expect(s.requests.map((r) => r.problems.length > 0)).toEqual([true, false]);
    expect(s.requests[0]!.problems[0]).toContain("'json_schema' is not supported");
    expect([formatOf(s, 0), formatOf(s, 1)]).toEqual(['json_schema', 'json_object']);
    const messages = (s.requests[1]!.body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('"rootCause"') });
    expect(messages.filter((m) => m.role === 'system')).toHaveLength(1);
    expect(result.usage).toHaveLength(2);
  });

  it('remembers the fallback for the endpoint: the next investigation asks json_object first', async () => {
    const s = (standIn = await startOpenAiStandIn({ schemaSupport: 'json_object_only' }));
    s.push({ json: GOOD_FIX }, { json: GOOD_FIX });
    await engine(s).diagnose(input());
    await engine(s).diagnose(input());
    expect(s.requests.map((_, i) => formatOf(s, i))).toEqual(['json_schema', 'json_object', 'json_object']);
  });

  it('validates json_object replies the same way (invalid output → corrective re-ask)', async () => {
    const s = (standIn = await startOpenAiStandIn());
    s.push({ raw: '{"category":"oom_killed"}' }, { json: GOOD_FIX });
    const result = await engine(s, 'json_object').diagnose(input());
    expect(result.diagnosis.category).toBe('oom_killed');
    expect(s.requests.map((_, i) => formatOf(s, i))).toEqual(['json_object', 'json_object']);
  });

  it('forced json_schema does not fall back: the 400 is reported with its hint', async () => {
    const s = (standIn = await startOpenAiStandIn({ schemaSupport: 'json_object_only' }));
    const error = await engine(s, 'json_schema')
      .diagnose(input())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AutofixError);
    expect(String((error as AutofixError).hint)).toContain('json_schema');
    expect(s.requests).toHaveLength(1);
  });

  it('reads AUTOFIX_LLM_RESPONSE_FORMAT and refuses unknown values', () => {
    const env = { OPENAI_API_KEY: 'sk-x', AUTOFIX_LLM_RESPONSE_FORMAT: 'json_object' };
    expect(loadConfig(env).llm?.responseFormat).toBe('json_object');
    expect(loadConfig({ OPENAI_API_KEY: 'sk-x' }).llm?.responseFormat).toBe('auto');
    expect(() => loadConfig({ ...env, AUTOFIX_LLM_RESPONSE_FORMAT: 'xml' })).toThrow(
      /AUTOFIX_LLM_RESPONSE_FORMAT is invalid/,
    );
  });
});
