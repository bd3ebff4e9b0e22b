// The eval reports the cases in which an LLM ceiling stopped the model, and the engine counts them.
import { describe, expect, it } from 'vitest';
import { countingEngine } from '../../../../src/cli/eval/agent-fix.js';
import { renderTable } from '../../../../src/cli/eval/eval-table.js';
import { scoreEval, type CaseResult } from '../../../../src/cli/eval/score-eval.js';
import type { DiagnosisEngine, EngineResult } from '../../../../src/agent/diagnose/engine.js';
import { oomFinding, oomKilledEvidence, POLICY } from '../../../fixtures/oom-killed-evidence.js';

const result = (over: Partial<CaseResult>): CaseResult => ({
  name: 'c',
  attempt: 1,
  namespace: 'ev-x-c-1',
  status: 'ok',
  error: null,
  expectedCategory: 'oom_killed',
  category: 'oom_killed',
  expectedOutcome: 'proposed',
  outcome: 'proposed',
  finalOutcome: 'proposed',
  confidence: 0.8,
  healed: null,
  expectedHeals: true,
  iterations: 1,
  secondsToProposal: 2,
  secondsToHealthy: null,
  agentSeconds: 8,
  apiCalls: 10,
  llmCalls: 1,
  diagnoses: 1,
  promptTokens: 100,
  completionTokens: 10,
  costUsd: 0.0001,
  llmCeiling: null,
  investigationRunId: null,
  investigationRunUrl: null,
  ...over,
});

describe('eval with LLM ceilings', () => {
  it('counts and lists the cases a ceiling stopped', () => {
    const results = [result({ name: 'a' }), result({ name: 'b', llmCeiling: 'tokens' })];
    const s = scoreEval(results);
    expect(s.ceilingFallbacks).toBe(1);
    const table = renderTable(results, s);
    expect(table).toContain('stopped by an LLM ceiling 1');
    expect(table).toContain('  b #1: the tokens ceiling stopped the LLM; the rule engine answered');
    expect(table).not.toContain('  a #1: the');
  });

  it('the counting engine notes the ceiling a diagnosis reports', async () => {
    const hit = { ceiling: 'cost' as const, used: 0.01, next: 0.001, limit: 0.01 };
    const answer: EngineResult = {
      diagnosis: {
        category: 'oom_killed',
        rootCause: 'r',
        summary: 's',
        confidence: 0.5,
        engine: 'rules',
        change: null,
        humanAction: null,
        notes: [],
      },
      usage: [],
      exchange: null,
      ceiling: hit,
    };
    const engine: DiagnosisEngine = { name: 'llm', model: 'm', diagnose: async () => answer };
    const counted = countingEngine(engine);
    expect(counted.usage.ceiling).toBeNull();
    const input = {
      evidence: oomKilledEvidence(),
      findings: [oomFinding],
      previousAttempts: [],
      policy: POLICY,
    };
    await expect(counted.engine.diagnose(input)).resolves.toBe(answer);
    expect(counted.usage).toMatchObject({ diagnoses: 1, ceiling: 'cost' });
  });
});
