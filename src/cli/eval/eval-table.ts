// The eval's results as a plain-text table (per case, then totals), also logged to MLflow as an artifact.
import { casePassed, categoryRight, type CaseResult, type EvalSummary } from './score-eval.js';

const dash = '-';
const n = (v: number | null, digits = 0): string => (v === null ? dash : v.toFixed(digits));
const pct = (v: number | null): string => (v === null ? dash : `${Math.round(v * 100)}%`);
const usd = (v: number | null): string => (v === null ? dash : `$${v.toFixed(v < 0.01 ? 5 : 3)}`);

function mark(r: CaseResult): string {
  if (r.status === 'broken_case') return 'BROKEN';
  if (r.status === 'error') return 'ERROR';
  return casePassed(r) ? 'pass' : 'FAIL';
}

function category(r: CaseResult): string {
  if (r.category === null) return dash;
  return categoryRight(r) ? r.category : `${r.category} (want ${r.expectedCategory})`;
}

function outcome(r: CaseResult): string {
  if (r.status !== 'ok') return dash;
  return r.outcome === r.expectedOutcome ? r.outcome : `${r.outcome} (want ${r.expectedOutcome})`;
}

function healed(r: CaseResult): string {
  if (r.healed === null) return dash;
  const word = r.healed ? 'yes' : 'no';
  return r.healed === r.expectedHeals ? word : `${word} (want ${r.expectedHeals ? 'yes' : 'no'})`;
}

const HEAD = [
  'result',
  'case',
  'category',
  'outcome',
  'healed',
  'iter',
  's→prop',
  's→heal',
  'api',
  'tok in/out',
  'cost',
  'conf',
];

function cells(r: CaseResult, repeats: number): string[] {
  return [
    mark(r),
    repeats > 1 ? `${r.name} #${r.attempt}` : r.name,
    category(r),
    outcome(r),
    healed(r),
    r.status === 'ok' ? String(r.iterations) : dash,
    n(r.secondsToProposal, 1),
    n(r.secondsToHealthy, 1),
    r.status === 'ok' ? String(r.apiCalls) : dash,
    r.llmCalls > 0 ? `${r.promptTokens}/${r.completionTokens}` : dash,
    usd(r.costUsd),
    n(r.confidence, 2),
  ];
}

function grid(rows: string[][]): string[] {
  const widths = HEAD.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

export function totalsLines(s: EvalSummary): string[] {
  return [
    `cases ${s.cases} (runs ${s.runs}, repeats ${s.repeats}), broken cases ${s.brokenCases}, errors ${s.errors}`,
    `pass@1 ${pct(s.passAt1)}   pass^${s.repeats} ${pct(s.passHatK)}`,
    `category accuracy ${pct(s.categoryAccuracy)}   outcome accuracy ${pct(s.outcomeAccuracy)}   heal rate ${pct(s.healRate)} (judged from the cluster)`,
    `mean iterations ${n(s.meanIterations, 2)}   s→proposal ${n(s.meanSecondsToProposal, 1)}   s→healthy ${n(s.meanSecondsToHealthy, 1)}   API calls ${n(s.meanApiCalls, 1)}`,
    `LLM tokens in/out ${s.promptTokens}/${s.completionTokens}   prompt tokens per iteration ${n(s.promptTokensPerIteration)}   estimated cost ${usd(s.costUsd)}   stopped by an LLM ceiling ${s.ceilingFallbacks}`,
    `confidence right ${n(s.meanConfidenceRight, 2)} vs wrong ${n(s.meanConfidenceWrong, 2)}   Brier ${n(s.brierScore, 3)}`,
  ];
}

export function renderTable(results: CaseResult[], summary: EvalSummary): string {
  const rows = grid([HEAD, ...results.map((r) => cells(r, summary.repeats))]);
  const problems = results
    .filter((r) => r.error !== null)
    .map((r) => `  ${r.name} #${r.attempt}: ${r.error}`);
  const stopped = results
    .filter((r) => r.llmCeiling !== null)
    .map(
      (r) =>
        `  ${r.name} #${r.attempt}: the ${r.llmCeiling} ceiling stopped the LLM; the rule engine answered`,
    );
  return [
    ...rows,
    '',
    ...totalsLines(summary),
    ...(problems.length ? ['', 'broken cases and errors:', ...problems] : []),
    ...(stopped.length
      ? ['', 'LLM ceilings (AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION, AUTOFIX_LLM_MAX_COST_USD):', ...stopped]
      : []),
    '',
  ].join('\n');
}
