// Scores a replay: agreement with confirmed categories and with the recording, the approved change's effect,
// re-proposals of refused changes, outcomes, tokens, cost, latency and calibration (Brier).
import { replayPassed, ReplayOutcome, type ReplayResult } from './replay-case.js';
import { calibrate, mean, present, round, share } from './score-eval.js';

/** Field names match the sandbox eval's summary where they mean the same thing. */
export interface ReplaySummary {
  runs: number;
  cases: number;
  sourceRuns: number;
  errors: number;
  /** Cases with a confirmed category. */
  labelled: number;
  /** Right among the cases with a confirmed category; null when none is confirmed. */
  categoryAccuracy: number | null;
  /** The same category as the recording, among every case the recording diagnosed. */
  agreementWithRecording: number | null;
  /** Healed incidents whose replayed change has the approved change's effect. */
  changeEquivalence: number | null;
  /** Rejected or rolled-back incidents whose replayed change is that change again (lower is better). */
  reproposalRate: number | null;
  outcomes: Record<ReplayOutcome, number>;
  flagged: number;
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
  meanSeconds: number | null;
  meanConfidenceRight: number | null;
  meanConfidenceWrong: number | null;
  brierScore: number | null;
  passed: boolean;
}

/** The share of `true` among the values that are not null; null when every one is. */
function rate(values: Array<boolean | null>): number | null {
  const known = values.filter((v): v is boolean => v !== null);
  return known.length === 0 ? null : share(known.filter(Boolean), known.length);
}

export function scoreReplay(results: ReplayResult[]): ReplaySummary {
  const ok = results.filter((r) => r.status === 'ok');
  // What was spent counts every case that asked the model, answered usably or not.
  const spent = results.filter((r) => r.status === 'ok' || r.llmCalls > 0);
  const costs = present(spent.map((r) => r.costUsd));
  const outcomes = Object.fromEntries(ReplayOutcome.options.map((o) => [o, 0])) as Record<
    ReplayOutcome,
    number
  >;
  for (const r of results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  return {
    runs: results.length,
    cases: results.length,
    sourceRuns: new Set(results.map((r) => r.sourceRunId)).size,
    errors: results.length - ok.length,
    labelled: results.filter((r) => r.expectedCategory !== null).length,
    categoryAccuracy: rate(
      results.map((r) => (r.expectedCategory === null ? null : r.categoryRight === true)),
    ),
    agreementWithRecording: rate(ok.map((r) => r.sameAsRecorded)),
    changeEquivalence: rate(ok.map((r) => r.changeEquivalent)),
    reproposalRate: rate(ok.map((r) => r.reproposed)),
    outcomes,
    flagged: ok.filter((r) => r.flags.length > 0).length,
    llmCalls: spent.reduce((n, r) => n + r.llmCalls, 0),
    promptTokens: spent.reduce((n, r) => n + r.promptTokens, 0),
    completionTokens: spent.reduce((n, r) => n + r.completionTokens, 0),
    costUsd:
      costs.length === spent.length && costs.length > 0
        ? round(
            costs.reduce((a, b) => a + b, 0),
            6,
          )
        : null,
    meanSeconds: mean(spent.map((r) => r.seconds)),
    ...calibrate(
      ok
        .filter((r) => r.categoryRight !== null)
        .map((r) => ({ confidence: r.confidence, right: !!r.categoryRight })),
    ),
    passed: results.length > 0 && results.every(replayPassed),
  };
}

const dash = '-';
const pct = (v: number | null): string => (v === null ? dash : `${Math.round(v * 100)}%`);
const yn = (v: boolean | null, good = true): string => (v === null ? dash : v === good ? 'yes' : 'NO');

function cells(r: ReplayResult): string[] {
  const category =
    r.category === null
      ? dash
      : r.expectedCategory === null || r.categoryRight
        ? r.category
        : `${r.category} (want ${r.expectedCategory})`;
  return [
    r.status === 'error' ? 'ERROR' : replayPassed(r) ? 'pass' : 'FAIL',
    r.name,
    category,
    r.recordedCategory ?? dash,
    r.outcome === r.recordedOutcome ? r.outcome : `${r.outcome} (was ${r.recordedOutcome})`,
    yn(r.changeEquivalent),
    r.reproposed === null ? dash : r.reproposed ? 'AGAIN' : 'no',
    r.llmCalls > 0 ? `${r.promptTokens}/${r.completionTokens}` : dash,
    r.confidence === null ? dash : r.confidence.toFixed(2),
  ];
}

const HEAD = [
  'result',
  'case',
  'category',
  'recorded',
  'outcome',
  'same fix',
  're-proposed',
  'tok in/out',
  'conf',
];

export function renderReplayTable(results: ReplayResult[], s: ReplaySummary): string {
  const rows = [HEAD, ...results.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  const problems = results.filter((r) => r.error).map((r) => `  ${r.name}: ${r.error}`);
  const n = (v: number | null, digits: number): string => (v === null ? dash : v.toFixed(digits));
  return [
    ...lines,
    '',
    `cases ${s.cases} from ${s.sourceRuns} run(s), labelled ${s.labelled}, errors ${s.errors}`,
    `category accuracy ${pct(s.categoryAccuracy)} (confirmed)   agreement with the recording ${pct(s.agreementWithRecording)}`,
    `same fix as approved ${pct(s.changeEquivalence)}   re-proposed a refused change ${pct(s.reproposalRate)}   flagged ${s.flagged}`,
    `outcomes ${Object.entries(s.outcomes)
      .filter(([, k]) => k > 0)
      .map(([o, k]) => `${o} ${k}`)
      .join(', ')}`,
    `LLM calls ${s.llmCalls}, tokens in/out ${s.promptTokens}/${s.completionTokens}   estimated cost ${s.costUsd === null ? dash : `$${s.costUsd.toFixed(5)}`}   mean s/case ${n(s.meanSeconds, 3)}`,
    `confidence right ${n(s.meanConfidenceRight, 2)} vs wrong ${n(s.meanConfidenceWrong, 2)}   Brier ${n(s.brierScore, 3)}`,
    ...(problems.length ? ['', 'errors:', ...problems] : []),
    '',
  ].join('\n');
}
