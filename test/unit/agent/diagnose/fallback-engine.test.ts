// The fallback engine: the rule engine takes over on LLM_UNAVAILABLE, keeping the failed calls' usage.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiagnosisEngine, DiagnosisInput, EngineResult } from '../../../../src/agent/diagnose/engine.js';
import { createFallbackEngine, createLlmEngine } from '../../../../src/agent/diagnose/llm/llm-engine.js';
import type { Diagnosis } from '../../../../src/domain/index.js';
import { oomFinding, oomKilledEvidence, POLICY } from '../../../fixtures/oom-killed-evidence.js';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../../../tools/stand-ins/openai-stand-in.js';
import { llmConfig } from '../../../fixtures/llm-config.js';

const RULES_DIAGNOSIS: Diagnosis = {
  category: 'oom_killed',
  rootCause: 'OOMKilled with a 64Mi limit',
  summary: 'Raise the memory limit.',
  confidence: 0.8,
  engine: 'rules',
  change: null,
  humanAction: null,
  notes: ['rule note'],
};

/** A scripted engine: returns its result or throws its error, and counts calls. */
function scripted(name: 'rules' | 'llm', outcome: EngineResult | Error): DiagnosisEngine & { calls: number } {
  const engine = {
    name,
    model: name,
    calls: 0,
    diagnose: async (): Promise<EngineResult> => {
      engine.calls++;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };
  return engine;
}

const input: DiagnosisInput = {
  evidence: oomKilledEvidence(),
  findings: [oomFinding],
  previousAttempts: [],
  policy: POLICY,
};
const rules = (): ReturnType<typeof scripted> =>
  scripted('rules', { diagnosis: RULES_DIAGNOSIS, usage: [], exchange: null });

let standIn: OpenAiStandIn;
beforeEach(async () => {
  standIn = await startOpenAiStandIn();
});
afterEach(async () => {
  await standIn.close();
});

describe('createFallbackEngine', () => {
  it('diagnoses with the rule engine when the LLM is rate limited, noting why', async () => {
    standIn.push({ status: 429 }, { status: 429 }, { status: 429 });
    const llm = createLlmEngine({
      config: llmConfig(standIn, { maxRetries: 2 }),
      logPrompts: false,
      retryDelays: { baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 1_000 },
    });
    const fallback = rules();
    const engine = createFallbackEngine(llm, fallback);
    const result = await engine.diagnose(input);
    expect(engine).toMatchObject({ name: 'llm', model: 'gpt-stand-in' });
    expect(fallback.calls).toBe(1);
    expect(result.diagnosis).toMatchObject({ engine: 'rules', category: 'oom_killed' });
    expect(result.diagnosis.notes).toEqual([
      'LLM unavailable (429 after 3 attempts); diagnosed by the rule engine',
      'rule note',
    ]);
    expect(result.usage).toEqual([
      expect.objectContaining({ model: 'gpt-stand-in', attempts: 3, promptTokens: 0 }),
    ]);
  });

  it('returns the primary result untouched when it succeeds', async () => {
    const ok: EngineResult = {
      diagnosis: { ...RULES_DIAGNOSIS, engine: 'llm', notes: [] },
      usage: [],
      exchange: null,
    };
    const fallback = rules();
    await expect(createFallbackEngine(scripted('llm', ok), fallback).diagnose(input)).resolves.toBe(ok);
    expect(fallback.calls).toBe(0);
  });

  it('lets other errors through', async () => {
    const fallback = rules();
    const engine = createFallbackEngine(scripted('llm', new Error('bug')), fallback);
    await expect(engine.diagnose(input)).rejects.toThrow('bug');
    expect(fallback.calls).toBe(0);
  });
});

describe('createFallbackEngine at a cost ceiling', () => {
  it('the rule engine answers; the note names the ceiling and its figures; the result carries the hit', async () => {
    const llm = createLlmEngine({
      config: llmConfig(standIn, { ceilings: { maxTokens: 100, maxCostUsd: null } }),
      logPrompts: false,
    });
    const fallback = rules();
    const result = await createFallbackEngine(llm, fallback).diagnose(input);
    expect(standIn.requests).toHaveLength(0);
    expect(fallback.calls).toBe(1);
    expect(result.ceiling).toMatchObject({ ceiling: 'tokens', used: 0, limit: 100 });
    expect(result.diagnosis.engine).toBe('rules');
    expect(result.diagnosis.notes[0]).toMatch(
      /^LLM not asked: the investigation's token ceiling: 0 tokens used \+ up to [\d,]+ for the next call > 100 \(AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION\); diagnosed by the rule engine$/,
    );
    expect(result.diagnosis.notes[1]).toBe('rule note');
  });

  it('another unavailability carries no ceiling', async () => {
    standIn.push({ status: 401 });
    const llm = createLlmEngine({ config: llmConfig(standIn, { maxRetries: 0 }), logPrompts: false });
    const result = await createFallbackEngine(llm, rules()).diagnose(input);
    expect(result.ceiling).toBeUndefined();
    expect(result.diagnosis.notes[0]).toMatch(/^LLM unavailable \(401/);
  });
});
