// Eval scoring and case loading: pure, with clear errors for broken case folders.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCases } from '../../src/cli/eval/eval-case.js';
import { casePassed, scoreEval, type CaseResult } from '../../src/cli/eval/score-eval.js';

const result = (over: Partial<CaseResult>): CaseResult => ({
  name: 'c',
  expectedCategory: 'oom_killed',
  category: 'oom_killed',
  expectedOutcome: 'proposed',
  outcome: 'proposed',
  confidence: 0.8,
  healed: true,
  expectedHeals: true,
  iterations: 1,
  seconds: 1,
  apiCalls: 10,
  error: null,
  ...over,
});

describe('scoreEval', () => {
  it('computes accuracy, heal rate and confidence when right vs wrong', () => {
    const s = scoreEval([
      result({}),
      result({ category: 'crash_loop', confidence: 0.4 }),
      result({ healed: false }),
    ]);
    expect(s.categoryAccuracy).toBeCloseTo(2 / 3);
    expect(s.healRate).toBeCloseTo(2 / 3);
    expect(s.meanConfidenceRight).toBe(0.8);
    expect(s.meanConfidenceWrong).toBe(0.4);
    expect(s.passed).toBe(false);
  });
  it('a case with an error never passes', () => {
    expect(casePassed(result({ error: 'timed out' }))).toBe(false);
    expect(scoreEval([]).passed).toBe(false);
  });
});

describe('loadCases', () => {
  it('loads the shipped cases', () => {
    const cases = loadCases('eval/cases');
    expect(cases.length).toBeGreaterThanOrEqual(9);
    expect(cases.find((c) => c.name === 'image-pull-after-release')?.breakPatch?.[0]?.path).toBe(
      '/spec/template/spec/containers/0/image',
    );
  });
  it('names the folder and field of a broken case', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-'));
    mkdirSync(join(dir, 'bad'));
    writeFileSync(
      join(dir, 'bad', 'case.yaml'),
      'description: x\ntarget: deployment/web\nexpect: { category: nonsense, outcome: proposed, heals: true }\n',
    );
    writeFileSync(join(dir, 'bad', 'manifests.yaml'), 'kind: Deployment\n');
    expect(() => loadCases(dir)).toThrow(/bad: expect\.category/);
  });
});
