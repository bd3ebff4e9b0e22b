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
import type { LlmSpend } from '../../../../../src/domain/index.js';

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

  it('keeps the spend before each call at its bound and after it at its usage, in that order', async () => {
    standIn.push(
      { raw: 'not json', usage: { promptTokens: 3000, completionTokens: 200 } },
      { json: GOOD_FIX, usage: { promptTokens: 3500, completionTokens: 100 } },
    );
    const kept: Array<{ requests: number; spent: LlmSpend }> = [];
    const earlier = { calls: 2, promptTokens: 10_000, completionTokens: 500, costUsd: 0.0105 };
    await engine({ ceilings: { maxTokens: null, maxCostUsd: null } }).diagnose(
      input({
        spent: earlier,
        keepSpend: async (spent) => void kept.push({ requests: standIn.requests.length, spent }),
      }),
    );
    expect(kept.map((k) => k.requests)).toEqual([0, 1, 1, 2]);
    const [before1, after1, before2, after2] = kept.map((k) => k.spent);
    // Before a call: the earlier spend plus the call's whole bound (its prompt bound and 1,000 output tokens).
    expect(before1).toMatchObject({ calls: 3, completionTokens: 1500 });
    expect(before1!.promptTokens).toBeGreaterThan(10_000);
    expect(before1!.costUsd).toBeCloseTo((before1!.promptTokens + 1500) / 1e6, 9);
    expect(after1).toEqual({ calls: 3, promptTokens: 13_000, completionTokens: 700, costUsd: 0.0137 });
    expect(before2).toMatchObject({ calls: 4, completionTokens: 1700 });
    expect(after2).toEqual({ calls: 4, promptTokens: 16_500, completionTokens: 800, costUsd: 0.0173 });
  });

  it('keeps nothing for a call the ceiling stops', async () => {
    const kept: LlmSpend[] = [];
    const spent = { calls: 3, promptTokens: 59_000, completionTokens: 900, costUsd: 0.0599 };
    await refusal(
      engine({ ceilings: { maxTokens: 60_000, maxCostUsd: null } }).diagnose(
        input({ spent, keepSpend: async (s) => void kept.push(s) }),
      ),
    );
    expect(kept).toEqual([]);
    expect(standIn.requests).toHaveLength(0);
  });
});
