// The LLM engine against the local OpenAI stand-in: parsing, strict schema, secrets, retries and failures.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LlmConfig } from '../../../../../src/config/config.js';
import type { DiagnosisInput } from '../../../../../src/agent/diagnose/engine.js';
import { createLlmEngine } from '../../../../../src/agent/diagnose/llm/llm-engine.js';
import {
  GOOD_FIX,
  oomFinding,
  oomKilledEvidence,
  POLICY,
  RAW_CANARY,
} from '../../../../fixtures/oom-killed-evidence.js';
import {
  assertNoSecret,
  startOpenAiStandIn,
  type OpenAiStandIn,
} from '../../../../../tools/stand-ins/openai-stand-in.js';
import { llmConfig } from '../../../../fixtures/llm-config.js';

const FAST_RETRIES = { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1_000 };

let standIn: OpenAiStandIn;
beforeEach(async () => {
  standIn = await startOpenAiStandIn();
});
afterEach(async () => {
  await standIn.close();
});

function engine(overrides: Partial<LlmConfig> = {}, logPrompts = false) {
  return createLlmEngine({ config: llmConfig(standIn, overrides), logPrompts, retryDelays: FAST_RETRIES });
}

function input(extra: Partial<DiagnosisInput> = {}): DiagnosisInput {
  return {
    evidence: oomKilledEvidence(),
    findings: [oomFinding],
    previousAttempts: [],
    policy: POLICY,
    ...extra,
  };
}

type Message = { role: string; content: string };
function messagesOf(i: number): Message[] {
  return (standIn.requests[i]?.body as { messages: Message[] }).messages;
}

describe('createLlmEngine', () => {
  it('parses a good fix into a domain Change and records usage', async () => {
    standIn.push({ json: GOOD_FIX, usage: { promptTokens: 1200, completionTokens: 80 } });
    const e = engine();
    const result = await e.diagnose(input());
    expect(e).toMatchObject({ name: 'llm', model: 'gpt-stand-in' });
    expect(result.diagnosis).toMatchObject({
      category: 'oom_killed',
      engine: 'llm',
      confidence: 0.9,
      humanAction: null,
      notes: [],
    });
    expect(result.diagnosis.change?.patch).toEqual([
      { op: 'replace', path: '/spec/template/spec/containers/0/resources/limits/memory', value: '256Mi' },
    ]);
    expect(result.usage).toEqual([
      {
        model: 'gpt-stand-in',
        latencySeconds: expect.any(Number),
        promptTokens: 1200,
        completionTokens: 80,
        attempts: 1,
        // No price configured for the stand-in's model: unknown, not free.
        costUsd: null,
        // What the server said answered (the stand-in echoes the request's model).
        responseModel: 'gpt-stand-in',
      },
    ]);
    expect(result.exchange).toBeNull();
  });

  it('sends a strict json_schema response format with the bearer key', async () => {
    standIn.push({ json: GOOD_FIX });
    await engine().diagnose(input());
    const req = standIn.requests[0]!;
    expect(req.problems).toEqual([]);
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${standIn.apiKey}`);
    expect(req.body).toMatchObject({
      model: 'gpt-stand-in',
      response_format: { type: 'json_schema', json_schema: { name: 'diagnosis', strict: true } },
    });
  });

  it('sends only redacted evidence, findings as hints and the policy', async () => {
    standIn.push({ json: GOOD_FIX });
    await engine().diagnose(input());
    assertNoSecret(standIn.requests, [RAW_CANARY, standIn.apiKey]);
    const [system, user] = messagesOf(0);
    expect(user?.content).toContain('[REDACTED]');
    expect(user?.content).toContain('hints, not truth');
    expect(user?.content).toContain(oomFinding.message);
    expect(user?.content).not.toContain('last-applied-configuration');
    expect(system?.content).toContain('registry.example.com');
    expect(system?.content).toContain('memory limit at most 4Gi');
    expect(system?.content).not.toContain('<!--');
  });

  it('keeps the exchange when prompt logging is on', async () => {
    standIn.push({ json: GOOD_FIX });
    const result = await engine({}, true).diagnose(input());
    expect(result.exchange?.prompt).toEqual(messagesOf(0));
    expect(result.exchange?.completion).toMatchObject({ object: 'chat.completion' });
  });

  it('feeds previous attempts back with their exact errors', async () => {
    standIn.push({ json: GOOD_FIX });
    const errors = [
      'policy: memory limit 8Gi exceeds the cap 4Gi',
      'dry-run: spec.template.spec.containers[0].image: Required value',
    ];
    const change = {
      summary: ['raise memory to 8Gi'],
      patch: [{ op: 'replace' as const, path: '/spec/x', value: '8Gi' }],
    };
    await engine().diagnose(input({ previousAttempts: [{ iteration: 1, change, errors }] }));
    const user = messagesOf(0)[1]?.content ?? '';
    expect(user).toContain('### Attempt 1');
    for (const err of errors) expect(user).toContain(err);
    expect(user).toContain(JSON.stringify(change));
  });
});

describe('createLlmEngine output failures', () => {
  it('turns a refusal into LLM_UNAVAILABLE without retrying', async () => {
    standIn.push({ refusal: "I can't help with that." });
    await expect(engine().diagnose(input())).rejects.toMatchObject({
      code: 'LLM_UNAVAILABLE',
      reason: 'the model refused',
    });
    expect(standIn.requests).toHaveLength(1);
  });

  it('corrects malformed JSON with one re-ask inside the call budget', async () => {
    standIn.push({ raw: 'not json' }, { json: GOOD_FIX });
    const result = await engine().diagnose(input());
    expect(result.diagnosis.category).toBe('oom_killed');
    expect(result.usage.map((u) => u.attempts)).toEqual([1, 1]);
    const reAsk = messagesOf(1);
    expect(reAsk.at(-2)).toEqual({ role: 'assistant', content: 'not json' });
    expect(reAsk.at(-1)?.content).toContain('not valid JSON');
  });

  it('gives up when the re-ask is malformed too', async () => {
    standIn.push({ raw: 'not json' }, { json: { ...GOOD_FIX, confidence: 'high' } });
    await expect(engine().diagnose(input())).rejects.toMatchObject({
      code: 'LLM_UNAVAILABLE',
      reason: 'invalid output after a corrective re-ask',
      message: expect.stringContaining('confidence'),
    });
  });

  it('does not re-ask when the call budget is spent', async () => {
    standIn.push({ raw: 'not json' });
    await expect(engine({ maxRetries: 0 }).diagnose(input())).rejects.toMatchObject({
      code: 'LLM_UNAVAILABLE',
      reason: 'invalid output',
    });
    expect(standIn.requests).toHaveLength(1);
  });

  it('re-asks with a precise error when valueJson is not JSON', async () => {
    const bad = {
      ...GOOD_FIX,
      change: { ...GOOD_FIX.change, patch: [{ ...GOOD_FIX.change.patch[0], valueJson: '256Mi' }] },
    };
    standIn.push({ json: bad }, { json: GOOD_FIX });
    await engine().diagnose(input());
    expect(messagesOf(1).at(-1)?.content).toContain('change.patch.0.valueJson is not valid JSON');
  });

  it.each([
    [{ finishReason: 'content_filter' as const, raw: '' }, 'the output was blocked by the content filter'],
    [{ noChoices: true }, 'the response had no choices'],
  ])('turns %j into LLM_UNAVAILABLE', async (reply, reason) => {
    standIn.push(reply);
    await expect(engine().diagnose(input())).rejects.toMatchObject({ code: 'LLM_UNAVAILABLE', reason });
    expect(standIn.requests).toHaveLength(1);
  });
});

describe('createLlmEngine transport failures', () => {
  it('retries a 429 after retry-after-ms and records both attempts', async () => {
    standIn.push({ status: 429, headers: { 'retry-after-ms': '10' } }, { json: GOOD_FIX });
    const result = await engine().diagnose(input());
    expect(result.usage).toHaveLength(1);
    expect(result.usage[0]).toMatchObject({ attempts: 2, promptTokens: expect.any(Number) });
    expect(standIn.requests).toHaveLength(2);
  });

  it('gives up after maxRetries + 1 server errors', async () => {
    standIn.push({ status: 500 }, { status: 500 }, { status: 500 });
    const failure = engine({ maxRetries: 2 }).diagnose(input());
    await expect(failure).rejects.toMatchObject({
      code: 'LLM_UNAVAILABLE',
      reason: '500 after 3 attempts',
      usage: [{ attempts: 3, promptTokens: 0 }],
    });
    expect(standIn.requests).toHaveLength(3);
  });

  it('does not retry a rejected API key', async () => {
    const e = createLlmEngine({
      config: llmConfig({ apiKey: 'sk-wrong', url: standIn.url }, { model: 'm', maxRetries: 3 }),
      logPrompts: false,
      retryDelays: FAST_RETRIES,
    });
    await expect(e.diagnose(input())).rejects.toMatchObject({
      code: 'LLM_UNAVAILABLE',
      reason: '401 after 1 attempt',
      hint: 'Check OPENAI_API_KEY.',
    });
    expect(standIn.requests).toHaveLength(1);
  });

  it('does not wait for a retry-after beyond the limit', async () => {
    standIn.push({ status: 429, headers: { 'retry-after': '3600' } });
    await expect(engine().diagnose(input())).rejects.toMatchObject({
      reason: '429 after 1 attempt',
      message: expect.stringContaining('wait 3600s'),
    });
  });

  it('times out within a bounded time', async () => {
    standIn.push({ delayMs: 10_000, json: GOOD_FIX }, { delayMs: 10_000, json: GOOD_FIX });
    const started = Date.now();
    await expect(engine({ timeoutMs: 200, maxRetries: 1 }).diagnose(input())).rejects.toMatchObject({
      code: 'LLM_UNAVAILABLE',
      reason: 'timeout after 2 attempts',
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('propagates a caller abort unchanged', async () => {
    standIn.push({ delayMs: 10_000, json: GOOD_FIX });
    const controller = new AbortController();
    const pending = engine().diagnose(input(), controller.signal);
    await standIn.waitForRequests(1);
    controller.abort(new Error('investigation cancelled'));
    await expect(pending).rejects.toThrow('investigation cancelled');
    expect(standIn.requests).toHaveLength(1);
  });
});
