// The LLM engine's ceilings against the stand-in: checked before every call (re-asks too), counting what the
// investigation used before this diagnosis; a stopped engine makes no further request.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LlmConfig } from '../../../../../src/config/config.js';
import type { DiagnosisInput } from '../../../../../src/agent/diagnose/engine.js';
import { createLlmEngine } from '../../../../../src/agent/diagnose/llm/llm-engine.js';
import { LlmCeilingError } from '../../../../../src/agent/diagnose/llm/cost-ceiling.js';
import { isLlmUnavailable } from '../../../../../src/agent/diagnose/llm/llm-unavailable-error.js';
import { GOOD_FIX, oomFinding, oomKilledEvidence, POLICY } from '../../../../fixtures/oom-killed-evidence.js';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../../../../tools/stand-ins/openai-stand-in.js';
import { llmConfig } from '../../../../fixtures/llm-config.js';

const FAST_RETRIES = { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1_000 };
// $1 per 1M tokens both ways: a token costs a micro-dollar, so the two ceilings read alike.
const PRICE = { prompt: 1, completion: 1 };

let standIn: OpenAiStandIn;
beforeEach(async () => {
  standIn = await startOpenAiStandIn();
});
afterEach(async () => {
  await standIn.close();
});

function engine(over: Partial<LlmConfig>) {
  return createLlmEngine({
    config: llmConfig(standIn, { price: PRICE, maxOutputTokens: 1000, ...over }),
    logPrompts: false,
    retryDelays: FAST_RETRIES,
  });
}

const input = (extra: Partial<DiagnosisInput> = {}): DiagnosisInput => ({
  evidence: oomKilledEvidence(),
  findings: [oomFinding],
  previousAttempts: [],
  policy: POLICY,
  ...extra,
});

async function refusal(p: Promise<unknown>): Promise<LlmCeilingError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LlmCeilingError);
  return e as LlmCeilingError;
}

describe('createLlmEngine with ceilings', () => {
  it('under the ceiling: asks, and prices each call', async () => {
    standIn.push({ json: GOOD_FIX, usage: { promptTokens: 2000, completionTokens: 100 } });
    const r = await engine({ ceilings: { maxTokens: 60_000, maxCostUsd: 0.06 } }).diagnose(input());
    expect(r.usage).toEqual([expect.objectContaining({ promptTokens: 2000, costUsd: 0.0021 })]);
    expect(standIn.requests).toHaveLength(1);
  });

  it('a corrective re-ask that would pass the token ceiling is not sent', async () => {
    // The first call fits (nothing used yet); it reports 58,000 tokens, so the re-ask's bound passes 60,000.
    standIn.push({ raw: 'not json', usage: { promptTokens: 57_900, completionTokens: 100 } });
    const e = await refusal(engine({ ceilings: { maxTokens: 60_000, maxCostUsd: null } }).diagnose(input()));
    expect(isLlmUnavailable(e)).toBe(true);
    expect(e.hit).toMatchObject({ ceiling: 'tokens', used: 58_000, limit: 60_000 });
    expect(e.hit.next).toBeGreaterThan(1000);
    expect(e.usage).toHaveLength(1);
    expect(e.message).toMatch(/token ceiling: 58,000 tokens used/);
    expect(standIn.requests).toHaveLength(1);
  });

  it('the cost ceiling stops the re-ask the same way', async () => {
    standIn.push({ raw: 'not json', usage: { promptTokens: 57_900, completionTokens: 100 } });
    const e = await refusal(engine({ ceilings: { maxTokens: null, maxCostUsd: 0.06 } }).diagnose(input()));
    expect(e.hit).toMatchObject({ ceiling: 'cost', used: 0.058, limit: 0.06 });
    expect(standIn.requests).toHaveLength(1);
  });

  it("counts the investigation's earlier usage: over already, no request at all", async () => {
    const spent = { calls: 3, promptTokens: 59_000, completionTokens: 900, costUsd: 0.0599 };
    const e = await refusal(
      engine({ ceilings: { maxTokens: 60_000, maxCostUsd: null } }).diagnose(input({ spent })),
    );
    expect(e.hit).toMatchObject({ ceiling: 'tokens', used: 59_900 });
    expect(e.usage).toEqual([]);
    expect(standIn.requests).toHaveLength(0);
  });

  it('a ceiling below one call stops the first call', async () => {
    await refusal(engine({ ceilings: { maxTokens: 500, maxCostUsd: null } }).diagnose(input()));
    expect(standIn.requests).toHaveLength(0);
  });
});
