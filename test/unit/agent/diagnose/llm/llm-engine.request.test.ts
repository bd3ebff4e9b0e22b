// What the engine sends and how it recovers, against the stand-in: time limit, output bound and cut-off
// re-ask, the wire schema as strict as the parser, the json_object schema in the first system message, sampling.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { LlmConfig } from '../../../../../src/config/config.js';
import { createLlmEngine } from '../../../../../src/agent/diagnose/llm/llm-engine.js';
import { LlmOutput, parseLlmOutput } from '../../../../../src/agent/diagnose/llm/llm-output.js';
import { GOOD_FIX, oomFinding, oomKilledEvidence, POLICY } from '../../../../fixtures/oom-killed-evidence.js';
import { llmConfig } from '../../../../fixtures/llm-config.js';
import {
  startOpenAiStandIn,
  type ChatTemplate,
  type ModelKind,
  type OpenAiStandIn,
  type SchemaSupport,
} from '../../../../../tools/stand-ins/openai-stand-in.js';

const FAST_RETRIES = { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1_000 };
let standIn: OpenAiStandIn | null = null;
afterEach(async () => {
  await standIn?.close();
  standIn = null;
});

async function serve(
  options: { schemaSupport?: SchemaSupport; modelKind?: ModelKind; chatTemplate?: ChatTemplate } = {},
) {
  standIn = await startOpenAiStandIn(options);
  return standIn;
}

// Each test its own model name: the engine remembers per endpoint (URL + model) what it refused.
let seq = 0;
function engine(s: OpenAiStandIn, overrides: Partial<LlmConfig> = {}) {
  seq += 1;
  const config = llmConfig(s, { model: `stand-in-${seq}`, ...overrides });
  return createLlmEngine({ config, logPrompts: false, retryDelays: FAST_RETRIES });
}

const input = () => ({
  evidence: oomKilledEvidence(),
  findings: [oomFinding],
  previousAttempts: [],
  policy: POLICY,
});
type Body = Record<string, unknown> & { messages: Array<{ role: string; content: string }> };
const bodyOf = (s: OpenAiStandIn, i: number) => s.requests[i]!.body as Body;

describe('(a) time: one request and one diagnosis', () => {
  it('sends through its own fetch: the global one gives up on headers after 300 s, before a slow CPU answer', async () => {
    const s = await serve();
    s.push({ json: GOOD_FIX });
    vi.stubGlobal('fetch', () => Promise.reject(new Error('the global fetch was used')));
    try {
      const r = await engine(s).diagnose(input());
      expect(r.diagnosis.category).toBe('oom_killed');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('stops retrying when the diagnosis time limit leaves no room for another attempt', async () => {
    const s = await serve();
    s.push(...Array.from({ length: 6 }, () => ({ delayMs: 10_000, json: GOOD_FIX })));
    const failure = engine(s, { timeoutMs: 1_500, diagnosisTimeoutMs: 2_000, maxRetries: 5 }).diagnose(
      input(),
    );
    await expect(failure).rejects.toMatchObject({
      code: 'LLM_UNAVAILABLE',
      reason: 'timeout after 1 attempt',
      message: expect.stringContaining('no time left for another attempt within the diagnosis time limit'),
    });
    expect(s.requests).toHaveLength(1);
  });
});

describe('(b) output bound and a cut-off reply', () => {
  it('sends max_tokens from the configuration', async () => {
    const s = await serve();
    s.push({ json: GOOD_FIX });
    await engine(s, { maxOutputTokens: 700 }).diagnose(input());
    expect(bodyOf(s, 0)).toMatchObject({ max_tokens: 700 });
    expect(s.requests[0]!.problems).toEqual([]);
  });

  it('re-asks once, shorter, when the reply is cut off at the bound, and uses the second answer', async () => {
    const s = await serve();
    const looping = { ...GOOD_FIX, rootCause: 'The container ran out of memory. '.repeat(60) };
    s.push({ json: looping }, { json: GOOD_FIX });
    const result = await engine(s, { maxOutputTokens: 200 }).diagnose(input());
    expect(result.diagnosis.category).toBe('oom_killed');
    expect(result.usage).toHaveLength(2);
    const reAsk = bodyOf(s, 1).messages;
    expect(reAsk.at(-2)).toMatchObject({ role: 'assistant' });
    expect(reAsk.at(-1)?.content).toContain('cut off at the 200-token limit');
  });

  it('gives up with a clear reason when the re-ask is cut off too', async () => {
    const s = await serve();
    const looping = { ...GOOD_FIX, rootCause: 'again '.repeat(400) };
    s.push({ json: looping }, { json: looping });
    await expect(engine(s, { maxOutputTokens: 100 }).diagnose(input())).rejects.toMatchObject({
      code: 'LLM_UNAVAILABLE',
      reason: 'the output was cut off at the token limit after a corrective re-ask',
    });
    expect(s.requests).toHaveLength(2);
  });

  it('switches to max_completion_tokens when the model refuses max_tokens (and remembers it)', async () => {
    const s = await serve({ modelKind: 'reasoning' });
    s.push({ json: GOOD_FIX }, { json: GOOD_FIX });
    const e = engine(s, { sampling: { temperature: 1, topP: 1, frequencyPenalty: 0 } });
    await e.diagnose(input());
    await e.diagnose(input());
    expect(s.requests.map((r) => r.problems.length)).toEqual([1, 0, 0]);
    expect(bodyOf(s, 2)).toMatchObject({ max_completion_tokens: 1024 });
    expect(bodyOf(s, 2)).not.toHaveProperty('max_tokens');
  });
});

describe('(c) the wire schema is the parser', () => {
  const wire = zodResponseFormat(LlmOutput, 'diagnosis').json_schema.schema as Record<string, unknown>;
  const at = (path: string[]): Record<string, unknown> =>
    path.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, wire);
  const change = at(['properties', 'change', 'anyOf', '0', 'properties']);

  it('carries what the parser checks: bounded non-empty change lists, the op/value union, a closed pointer pattern', () => {
    expect(at(['properties', 'category'])).toHaveProperty('enum');
    expect(at(['properties', 'confidence'])).toMatchObject({ minimum: 0, maximum: 1 });
    expect(change.summary).toMatchObject({ minItems: 1, maxItems: 12 });
    expect(change.patch).toMatchObject({ minItems: 1, maxItems: 24 });
    const [write, remove] = (change.patch as { items: { anyOf: Array<{ properties: object }> } }).items.anyOf;
    expect(write!.properties).toMatchObject({
      op: { enum: ['add', 'replace'] },
      // No `.`: a grammar built from it lets a quote continue the string, so it never has to close.
      path: { pattern: '^[/][-A-Za-z0-9_.~/]{0,255}$' },
      valueJson: { type: 'string' },
    });
    expect(remove!.properties).toMatchObject({ op: { enum: ['remove'] }, valueJson: { type: 'null' } });
  });

  it('sends that schema, strict, and the stand-in finds it strict-mode valid', async () => {
    const s = await serve();
    s.push({ json: GOOD_FIX });
    await engine(s).diagnose(input());
    expect(s.requests[0]!.problems).toEqual([]);
    expect(bodyOf(s, 0).response_format).toMatchObject({ json_schema: { strict: true, schema: wire } });
  });

  it.each([
    ['an empty change', { ...GOOD_FIX, change: { summary: [], patch: [] } }],
    [
      'a value on remove',
      { ...GOOD_FIX, change: { summary: ['x'], patch: [{ op: 'remove', path: '/a', valueJson: '1' }] } },
    ],
    [
      'a relative path',
      { ...GOOD_FIX, change: { summary: ['x'], patch: [{ op: 'add', path: 'a', valueJson: '1' }] } },
    ],
  ])('refuses %s in the parser as the schema does', (_name, reply) => {
    expect(parseLlmOutput(JSON.stringify(reply)).ok).toBe(false);
  });

  it('re-asks (rather than refusing) a confidence no grammar bounds, as a llama.cpp grammar lets through', async () => {
    const s = await serve();
    s.push({ json: { ...GOOD_FIX, confidence: 7 } }, { json: GOOD_FIX });
    const result = await engine(s).diagnose(input());
    expect(result.diagnosis.confidence).toBe(0.9);
    expect(bodyOf(s, 1).messages.at(-1)?.content).toContain('confidence');
  });
});

describe('(d) json_object: the schema in the first system message', () => {
  it('reaches a model whose chat template drops a trailing system message', async () => {
    const s = await serve({ schemaSupport: 'json_object_only', chatTemplate: 'leading-system-only' });
    s.push({ json: GOOD_FIX });
    await engine(s).diagnose(input());
    const sent = s.requests[1]!;
    expect((sent.body as Body).response_format).toEqual({ type: 'json_object' });
    const seen = sent.seenByModel as Body['messages'];
    expect(seen).toEqual((sent.body as Body).messages);
    expect(seen[0]).toMatchObject({ role: 'system', content: expect.stringContaining('"rootCause"') });
    expect(seen[0]!.content).toContain('Only the target object may change');
  });
});

describe('(e) sampling', () => {
  it('sends temperature, top_p and a non-zero frequency penalty from the configuration', async () => {
    const s = await serve();
    s.push({ json: GOOD_FIX }, { json: GOOD_FIX });
    await engine(s, { sampling: { temperature: 0.3, topP: 0.8, frequencyPenalty: 0.4 } }).diagnose(input());
    expect(bodyOf(s, 0)).toMatchObject({ temperature: 0.3, top_p: 0.8, frequency_penalty: 0.4 });
    await engine(s, { sampling: { temperature: 0, topP: 1, frequencyPenalty: 0 } }).diagnose(input());
    expect(bodyOf(s, 1)).toMatchObject({ temperature: 0, top_p: 1 });
    expect(bodyOf(s, 1)).not.toHaveProperty('frequency_penalty');
  });

  it('leaves out sampling a reasoning model refuses, and asks again', async () => {
    const s = await serve({ modelKind: 'reasoning' });
    s.push({ json: GOOD_FIX });
    const result = await engine(s, {
      sampling: { temperature: 0.2, topP: 0.9, frequencyPenalty: 0 },
    }).diagnose(input());
    expect(result.diagnosis.category).toBe('oom_killed');
    const last = bodyOf(s, s.requests.length - 1);
    expect(s.requests.at(-1)!.problems).toEqual([]);
    expect(last).not.toHaveProperty('temperature');
    expect(last).not.toHaveProperty('top_p');
  });
});
