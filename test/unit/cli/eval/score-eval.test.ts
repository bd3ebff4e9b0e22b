// Eval scoring, case loading and the price table: pure, with clear errors for broken case folders.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Category } from '../../../../src/domain/index.js';
import { loadCases } from '../../../../src/cli/eval/eval-case.js';
import { estimateCost, loadPrices } from '../../../../src/cli/eval/price-table.js';
import { casePassed, scoreEval, type CaseResult } from '../../../../src/cli/eval/score-eval.js';
import { renderTable } from '../../../../src/cli/eval/eval-table.js';

import { countingEngine } from '../../../../src/cli/eval/agent-fix.js';
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
  finalOutcome: 'fixed',
  confidence: 0.8,
  healed: true,
  expectedHeals: true,
  iterations: 1,
  secondsToProposal: 2,
  secondsToHealthy: 10,
  agentSeconds: 8,
  apiCalls: 10,
  llmCalls: 0,
  diagnoses: 1,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
  llmCeiling: null,
  investigationRunId: null,
  investigationRunUrl: null,
  ...over,
});

describe('scoreEval', () => {
  it('computes accuracy, heal rate, confidence when right vs wrong and the Brier score', () => {
    const s = scoreEval([
      result({ name: 'a' }),
      result({ name: 'b', category: 'crash_loop', confidence: 0.4 }),
      result({ name: 'c', healed: false }),
    ]);
    expect(s.categoryAccuracy).toBeCloseTo(2 / 3, 3);
    expect(s.healRate).toBeCloseTo(2 / 3, 3);
    expect(s.meanConfidenceRight).toBe(0.8);
    expect(s.meanConfidenceWrong).toBe(0.4);
    // ((0.8-1)² + (0.4-0)² + (0.8-1)²) / 3
    expect(s.brierScore).toBeCloseTo((0.04 + 0.16 + 0.04) / 3, 3);
    expect(s.passed).toBe(false);
  });

  it('counts broken cases apart and leaves them out of the agent scores', () => {
    const s = scoreEval([
      result({ name: 'a' }),
      result({ name: 'b', status: 'broken_case', category: null, outcome: 'error', healed: null }),
    ]);
    expect(s.brokenCases).toBe(1);
    expect(s.categoryAccuracy).toBe(1);
    expect(s.passed).toBe(false);
  });

  it('pass@1 averages attempts per case; pass^k needs every attempt', () => {
    const s = scoreEval([
      result({ name: 'a', attempt: 1 }),
      result({ name: 'a', attempt: 2, category: 'crash_loop' }),
      result({ name: 'b', attempt: 1 }),
      result({ name: 'b', attempt: 2 }),
    ]);
    expect(s.repeats).toBe(2);
    expect(s.passAt1).toBe(0.75);
    expect(s.passHatK).toBe(0.5);
  });

  it('adds up tokens per iteration and cost; an unpriced model has no cost rather than zero', () => {
    const s = scoreEval([
      result({
        name: 'a',
        llmCalls: 2,
        diagnoses: 2,
        promptTokens: 5000,
        completionTokens: 300,
        costUsd: 0.001,
      }),
      result({
        name: 'b',
        llmCalls: 1,
        diagnoses: 1,
        promptTokens: 2500,
        completionTokens: 100,
        costUsd: null,
      }),
    ]);
    expect(s.promptTokensPerIteration).toBe(2500);
    expect(s.costUsd).toBeNull();
  });

  it('a healthy case that stays healthy is not a heal', () => {
    const s = scoreEval([
      result({
        name: 'h',
        expectedCategory: 'healthy',
        category: 'healthy',
        outcome: 'healthy',
        expectedOutcome: 'healthy',
      }),
    ]);
    expect(s.healRate).toBeNull();
    expect(s.passed).toBe(true);
  });

  it('a case with an error never passes', () => {
    expect(casePassed(result({ status: 'error', error: 'agent: boom' }))).toBe(false);
    expect(scoreEval([]).passed).toBe(false);
  });

  it('the table names what was wanted next to what was answered', () => {
    const rows = [
      result({ name: 'a', category: 'crash_loop' }),
      result({ name: 'b', status: 'broken_case', error: 'the symptom never appeared: x' }),
    ];
    const table = renderTable(rows, scoreEval(rows));
    expect(table).toContain('crash_loop (want oom_killed)');
    expect(table).toMatch(/BROKEN\s+b/);
    expect(table).toContain('b #1: the symptom never appeared: x');
  });
});

describe('price table', () => {
  it('estimates from the built-in table, dated model names included', () => {
    const prices = loadPrices(undefined);
    expect(estimateCost(prices, 'gpt-4o-mini', 1_000_000, 1_000_000)).toBeCloseTo(0.75);
    expect(estimateCost(prices, 'gpt-4o-mini-2024-07-18', 2000, 0)).toBeCloseTo(0.0003);
    expect(estimateCost(prices, 'rules', 0, 0)).toBe(0);
    expect(estimateCost(prices, 'unknown-model', 10, 10)).toBeNull();
  });
  it('a file overrides and adds models; a bad file is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prices-'));
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ 'my-model': { prompt: 1, completion: 2 } }));
    expect(estimateCost(loadPrices(join(dir, 'p.json')), 'my-model', 1e6, 1e6)).toBe(3);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ m: { prompt: -1, completion: 0 } }));
    expect(() => loadPrices(join(dir, 'bad.json'))).toThrow(/Price table .*bad\.json/);
  });
});

describe('loadCases', () => {
  const cases = loadCases('eval/cases');

  it('ships 30+ cases, several per category, from the start and by a rollout', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const category of Category.options.filter((c) => c !== 'unknown')) {
      expect(cases.filter((c) => c.expect.category === category).length, category).toBeGreaterThanOrEqual(2);
    }
    expect(cases.filter((c) => c.breakPatch !== null).length).toBeGreaterThanOrEqual(10);
    expect(cases.filter((c) => c.breakPatch === null).length).toBeGreaterThanOrEqual(10);
  });

  it('every broken case states its symptom as cluster facts', () => {
    for (const c of cases.filter((x) => x.expect.category !== 'healthy'))
      expect(c.symptom, c.name).not.toBeNull();
    expect(cases.find((c) => c.name === 'image-pull-after-release')?.breakPatch?.[0]?.path).toBe(
      '/spec/template/spec/containers/0/image',
    );
  });

  it('names the folder and field of a broken case', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-'));
    mkdirSync(join(dir, 'bad'));
    writeFileSync(
      join(dir, 'bad', 'case.yaml'),
      'description: x\ntarget: deployment/web\nsymptom: { waiting: [X] }\nexpect: { category: nonsense, outcome: proposed, heals: true }\n',
    );
    writeFileSync(join(dir, 'bad', 'manifests.yaml'), 'kind: Deployment\n');
    expect(() => loadCases(dir)).toThrow(/bad: expect\.category/);
  });

  it('refuses an unknown --only name and a symptom with an unknown fact', () => {
    expect(() => loadCases('eval/cases', ['no-such-case'])).toThrow(/No eval case named no-such-case/);
    const dir = mkdtempSync(join(tmpdir(), 'eval-'));
    mkdirSync(join(dir, 'odd'));
    writeFileSync(
      join(dir, 'odd', 'case.yaml'),
      'description: x\ntarget: deployment/web\nsymptom: { crashing: true }\nexpect: { category: crash_loop, outcome: proposed, heals: true }\n',
    );
    writeFileSync(join(dir, 'odd', 'manifests.yaml'), 'kind: Deployment\n');
    expect(() => loadCases(dir)).toThrow(/odd: symptom/);
  });
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
