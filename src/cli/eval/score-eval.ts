// Scores eval results: accuracy, fixes that healed, and whether confidence tracks correctness.
export interface CaseResult {
  name: string;
  expectedCategory: string;
  category: string | null;
  expectedOutcome: string;
  outcome: string;
  confidence: number | null;
  /** null when fixes were not attempted (diagnose-only run). */
  healed: boolean | null;
  expectedHeals: boolean;
  iterations: number;
  seconds: number;
  apiCalls: number;
  error: string | null;
}

export interface EvalSummary {
  cases: number;
  categoryAccuracy: number;
  outcomeAccuracy: number;
  healRate: number | null;
  /** Mean confidence of right and wrong categories: a calibrated engine is surer when right. */
  meanConfidenceRight: number | null;
  meanConfidenceWrong: number | null;
  passed: boolean;
}

const mean = (xs: number[]): number | null =>
  xs.length === 0 ? null : Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3));

export function casePassed(r: CaseResult): boolean {
  return (
    r.error === null &&
    r.category === r.expectedCategory &&
    r.outcome === r.expectedOutcome &&
    (r.healed === null || r.healed === r.expectedHeals)
  );
}

export function scoreEval(results: CaseResult[]): EvalSummary {
  const right = results.filter((r) => r.category === r.expectedCategory);
  const wrong = results.filter((r) => r.category !== r.expectedCategory);
  const fixable = results.filter((r) => r.healed !== null && r.expectedHeals);
  return {
    cases: results.length,
    categoryAccuracy: results.length ? right.length / results.length : 0,
    outcomeAccuracy: results.length
      ? results.filter((r) => r.outcome === r.expectedOutcome).length / results.length
      : 0,
    healRate: fixable.length ? fixable.filter((r) => r.healed).length / fixable.length : null,
    meanConfidenceRight: mean(right.flatMap((r) => (r.confidence === null ? [] : [r.confidence]))),
    meanConfidenceWrong: mean(wrong.flatMap((r) => (r.confidence === null ? [] : [r.confidence]))),
    passed: results.length > 0 && results.every(casePassed),
  };
}
