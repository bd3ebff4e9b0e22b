// Scores eval results: accuracy, independently judged heals, pass@1 / pass^k, cost and calibration.
import { z } from 'zod';

/** ok: the agent ran; broken_case: the stated symptom never appeared; error: setup or agent failure. */
export const CaseStatus = z.enum(['ok', 'broken_case', 'error']);

export const CaseResult = z.object({
  name: z.string(),
  /** 1-based repetition of this case within the suite run. */
  attempt: z.number().int().positive(),
  namespace: z.string(),
  status: CaseStatus,
  error: z.string().nullable(),
  expectedCategory: z.string(),
  expectedOutcome: z.string(),
  expectedHeals: z.boolean(),
  category: z.string().nullable(),
  outcome: z.string(),
  finalOutcome: z.string(),
  confidence: z.number().nullable(),
  /** Judged from cluster facts; null when fixes were not attempted (diagnose-only run). */
  healed: z.boolean().nullable(),
  iterations: z.number().int(),
  secondsToProposal: z.number().nullable(),
  secondsToHealthy: z.number().nullable(),
  /** Seconds the agent ran (investigation plus apply and watch). */
  agentSeconds: z.number(),
  apiCalls: z.number().int(),
  llmCalls: z.number().int(),
  diagnoses: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costUsd: z.number().nullable(),
  /** The LLM ceiling that stopped the model in this case (the rule engine answered the rest); null: none. */
  llmCeiling: z.enum(['tokens', 'cost']).nullable(),
  investigationRunId: z.string().nullable(),
  investigationRunUrl: z.string().nullable(),
});
export type CaseResult = z.infer<typeof CaseResult>;

export interface EvalSummary {
  runs: number;
  cases: number;
  brokenCases: number;
  errors: number;
  categoryAccuracy: number;
  outcomeAccuracy: number;
  healRate: number | null;
  /** Mean over cases of the share of attempts that passed. */
  passAt1: number;
  /** Share of cases whose every attempt passed. */
  passHatK: number;
  repeats: number;
  meanIterations: number | null;
  meanSecondsToProposal: number | null;
  meanSecondsToHealthy: number | null;
  meanApiCalls: number | null;
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens per diagnosis (one engine call per iteration). */
  promptTokensPerIteration: number | null;
  costUsd: number | null;
  /** Cases in which a cost ceiling stopped the LLM and the rule engine answered. */
  ceilingFallbacks: number;
  /** Mean confidence of right and wrong categories: a calibrated engine is surer when right. */
  meanConfidenceRight: number | null;
  meanConfidenceWrong: number | null;
  /** Mean of (confidence − right)²; 0 is perfect, 0.25 is a coin at 0.5. */
  brierScore: number | null;
  passed: boolean;
}

export const round = (x: number, digits = 3): number => Number(x.toFixed(digits));
export const mean = (xs: number[]): number | null =>
  xs.length === 0 ? null : round(xs.reduce((a, b) => a + b, 0) / xs.length);
export const share = (xs: unknown[], n: number): number => (n === 0 ? 0 : round(xs.length / n));
export const present = (xs: Array<number | null>): number[] => xs.filter((x): x is number => x !== null);

/** Mean confidence when right and when wrong, and the Brier score: mean of (confidence − right)². */
export function calibrate(judged: Array<{ confidence: number | null; right: boolean }>): {
  meanConfidenceRight: number | null;
  meanConfidenceWrong: number | null;
  brierScore: number | null;
} {
  const withConf = judged.filter((j): j is { confidence: number; right: boolean } => j.confidence !== null);
  return {
    meanConfidenceRight: mean(withConf.filter((j) => j.right).map((j) => j.confidence)),
    meanConfidenceWrong: mean(withConf.filter((j) => !j.right).map((j) => j.confidence)),
    brierScore: mean(withConf.map((j) => (j.confidence - (j.right ? 1 : 0)) ** 2)),
  };
}

export const categoryRight = (r: CaseResult): boolean => r.category === r.expectedCategory;

export function casePassed(r: CaseResult): boolean {
  return (
    r.status === 'ok' &&
    categoryRight(r) &&
    r.outcome === r.expectedOutcome &&
    (r.healed === null || r.healed === r.expectedHeals)
  );
}

function passRates(results: CaseResult[]): { passAt1: number; passHatK: number; repeats: number } {
  const byCase = new Map<string, CaseResult[]>();
  for (const r of results) byCase.set(r.name, [...(byCase.get(r.name) ?? []), r]);
  const groups = [...byCase.values()];
  const perCase = groups.map((g) => g.filter(casePassed).length / g.length);
  return {
    passAt1: mean(perCase) ?? 0,
    passHatK: share(
      groups.filter((g) => g.every(casePassed)),
      groups.length,
    ),
    repeats: Math.max(0, ...groups.map((g) => g.length)),
  };
}

const calibration = (
  judged: CaseResult[],
): Pick<EvalSummary, 'meanConfidenceRight' | 'meanConfidenceWrong' | 'brierScore'> =>
  calibrate(judged.map((r) => ({ confidence: r.confidence, right: categoryRight(r) })));

/** Broken cases are left out of the agent's scores (they say nothing about it) and counted apart. */
export function scoreEval(results: CaseResult[]): EvalSummary {
  const judged = results.filter((r) => r.status !== 'broken_case');
  // Heal rate is about broken workloads that should heal; a healthy case staying healthy is not a heal.
  const fixable = judged.filter(
    (r) => r.healed !== null && r.expectedHeals && r.expectedCategory !== 'healthy',
  );
  const costs = present(judged.map((r) => r.costUsd));
  const promptTokens = judged.reduce((n, r) => n + r.promptTokens, 0);
  const diagnoses = judged.reduce((n, r) => n + r.diagnoses, 0);
  return {
    runs: results.length,
    cases: new Set(results.map((r) => r.name)).size,
    brokenCases: results.filter((r) => r.status === 'broken_case').length,
    errors: results.filter((r) => r.status === 'error').length,
    categoryAccuracy: share(judged.filter(categoryRight), judged.length),
    outcomeAccuracy: share(
      judged.filter((r) => r.outcome === r.expectedOutcome),
      judged.length,
    ),
    healRate: fixable.length
      ? share(
          fixable.filter((r) => r.healed),
          fixable.length,
        )
      : null,
    ...passRates(results),
    meanIterations: mean(judged.filter((r) => r.status === 'ok').map((r) => r.iterations)),
    meanSecondsToProposal: mean(present(judged.map((r) => r.secondsToProposal))),
    meanSecondsToHealthy: mean(present(judged.map((r) => r.secondsToHealthy))),
    meanApiCalls: mean(judged.filter((r) => r.status === 'ok').map((r) => r.apiCalls)),
    promptTokens,
    completionTokens: judged.reduce((n, r) => n + r.completionTokens, 0),
    promptTokensPerIteration: diagnoses > 0 && promptTokens > 0 ? round(promptTokens / diagnoses, 0) : null,
    costUsd:
      costs.length === judged.length && costs.length > 0
        ? round(
            costs.reduce((a, b) => a + b, 0),
            6,
          )
        : null,
    ceilingFallbacks: judged.filter((r) => r.llmCeiling !== null).length,
    ...calibration(judged),
    passed: results.length > 0 && results.every(casePassed),
  };
}
