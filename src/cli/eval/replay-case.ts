// One recorded case replayed and scored against its labels: the confirmed category, the approved change's
// effect for healed incidents, a re-proposal of a rejected or rolled-back change; tokens, cost, latency.
import { z } from 'zod';
import { Category, type PatchOp } from '../../domain/index.js';
import { deepEqual } from '../../domain/json-access.js';
import type { DiagnosisEngine } from '../../agent/diagnose/engine.js';
import { LlmUnavailableError } from '../../agent/diagnose/llm/llm-unavailable-error.js';
import { asRecorded, effectOf, judgeOffline, replayIteration } from '../../agent/replay-iteration.js';
import { changeDigest, Verdict } from '../../tracking/outcome-labels.js';
import type { RecordedCase } from '../../tracking/replay-source.js';
import { estimateCost, type PriceTable } from './price-table.js';

export const ReplayOutcome = z.enum(['healthy', 'no_change', 'refused', 'proposed', 'error']);
export type ReplayOutcome = z.infer<typeof ReplayOutcome>;

export const ReplayResult = z.object({
  /** `<run name> #<iteration>`. */
  name: z.string(),
  sourceRunId: z.string(),
  sourceRunUrl: z.string().nullable(),
  iteration: z.number().int().positive(),
  /** The sandbox eval case the recording ran for, if any. */
  evalCase: z.string().nullable(),
  status: z.enum(['ok', 'error']),
  error: z.string().nullable(),
  /** The confirmed category: a person's correction, an eval case's expectation, or the approved and healed diagnosis. */
  expectedCategory: Category.nullable(),
  expectedSource: z.enum(['human', 'eval', 'approved']).nullable(),
  recordedEngine: z.string(),
  recordedModel: z.string(),
  recordedCategory: Category.nullable(),
  recordedOutcome: ReplayOutcome,
  verdict: Verdict.nullable(),
  healed: z.boolean(),
  rolledBack: z.boolean(),
  category: Category.nullable(),
  outcome: ReplayOutcome,
  confidence: z.number().nullable(),
  flags: z.array(z.string()),
  /** Why the replayed change was refused offline. */
  refusal: z.string().nullable(),
  /** Null when no category is confirmed. */
  categoryRight: z.boolean().nullable(),
  /** The same category as the recording: a regression check where nothing is confirmed. */
  sameAsRecorded: z.boolean().nullable(),
  /** Healed incidents with a known approved change: the replayed change has the same JSON-Patch effect. */
  changeEquivalent: z.boolean().nullable(),
  /** Rejected or rolled-back incidents: the replayed change has that change's effect again. */
  reproposed: z.boolean().nullable(),
  llmCalls: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costUsd: z.number().nullable(),
  seconds: z.number(),
});
export type ReplayResult = z.infer<typeof ReplayResult>;

/** The approved patch: from its label, or the recorded change when only its digest fitted in a tag. */
function approvedPatch(c: RecordedCase): PatchOp[] | null {
  if (c.labels.approvedChange) return c.labels.approvedChange;
  const recorded = c.bundle.recorded.diagnosis?.change;
  return c.labels.approvedChangeDigest && recorded && changeDigest(recorded) === c.labels.approvedChangeDigest
    ? recorded.patch
    : null;
}

/** The change a replay should not propose again: the rejected one, or the one rolled back. */
function refusedPatch(c: RecordedCase): PatchOp[] | null {
  if (c.labels.rolledBack) return approvedPatch(c) ?? c.bundle.recorded.diagnosis?.change?.patch ?? null;
  if (c.labels.verdict === 'rejected') return c.bundle.recorded.diagnosis?.change?.patch ?? null;
  return null;
}

function expected(
  c: RecordedCase,
  healed: boolean,
): Pick<ReplayResult, 'expectedCategory' | 'expectedSource'> {
  if (c.labels.expectedCategory)
    return {
      expectedCategory: c.labels.expectedCategory,
      expectedSource: c.labels.expectedSource ?? 'human',
    };
  const recorded = c.bundle.recorded.diagnosis;
  return healed && recorded
    ? { expectedCategory: asRecorded(c.bundle.input, recorded).category, expectedSource: 'approved' }
    : { expectedCategory: null, expectedSource: null };
}

/** What a replay of the case is scored against (also the case's expectations in the evaluation dataset). */
export interface CaseExpectations extends Pick<ReplayResult, 'expectedCategory' | 'expectedSource'> {
  healed: boolean;
  /** Healed incidents: the change whose effect a replay should have. */
  approvedChange: PatchOp[] | null;
  /** Rejected or rolled-back incidents: the change a replay should not propose again. */
  refusedChange: PatchOp[] | null;
}

export function caseExpectations(c: RecordedCase): CaseExpectations {
  const healed = c.labels.applied && c.labels.healthy === true && !c.labels.rolledBack;
  return {
    ...expected(c, healed),
    healed,
    approvedChange: healed ? approvedPatch(c) : null,
    refusedChange: refusedPatch(c),
  };
}

/** Same effect on the recorded workload (not the same text); a patch that does not apply matches nothing. */
function sameEffect(c: RecordedCase, a: PatchOp[] | null | undefined, b: PatchOp[] | null): boolean | null {
  if (!b) return null;
  if (!a) return false;
  const x = effectOf(c.bundle.input, a);
  const y = effectOf(c.bundle.input, b);
  return x !== null && y !== null && deepEqual(x, y);
}

export async function replayCase(
  c: RecordedCase,
  engine: DiagnosisEngine,
  prices: PriceTable,
): Promise<ReplayResult> {
  const recorded = c.bundle.recorded.diagnosis
    ? asRecorded(c.bundle.input, c.bundle.recorded.diagnosis)
    : null;
  const exp = caseExpectations(c);
  const healed = exp.healed;
  const base = {
    name: `${c.runName} #${c.iteration}`,
    sourceRunId: c.runId,
    sourceRunUrl: c.runUrl,
    iteration: c.iteration,
    evalCase: c.labels.evalCase,
    expectedCategory: exp.expectedCategory,
    expectedSource: exp.expectedSource,
    recordedEngine: c.bundle.engine.name,
    recordedModel: c.bundle.engine.model,
    recordedCategory: recorded?.category ?? null,
    recordedOutcome: recorded ? judgeOffline(c.bundle.input, recorded).outcome : ('error' as const),
    verdict: c.labels.verdict,
    healed,
    rolledBack: c.labels.rolledBack,
  };
  let r;
  const t0 = performance.now();
  try {
    r = await replayIteration(engine, c.bundle.input);
  } catch (e) {
    // A model that answered nothing usable (cut at the token bound, invalid JSON) still spent its tokens and time.
    const spent = e instanceof LlmUnavailableError ? e.usage : [];
    const tokens = (k: 'promptTokens' | 'completionTokens'): number => spent.reduce((n, u) => n + u[k], 0);
    return {
      ...base,
      status: 'error',
      error: e instanceof Error ? e.message : String(e),
      category: null,
      outcome: 'error',
      confidence: null,
      flags: [],
      refusal: null,
      categoryRight: null,
      sameAsRecorded: null,
      changeEquivalent: null,
      reproposed: null,
      llmCalls: spent.length,
      promptTokens: tokens('promptTokens'),
      completionTokens: tokens('completionTokens'),
      costUsd: spent.length
        ? estimateCost(prices, spent[0]!.model, tokens('promptTokens'), tokens('completionTokens'))
        : null,
      seconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
    };
  }
  const d = r.diagnosis;
  const sum = (k: 'promptTokens' | 'completionTokens'): number => r.usage.reduce((n, u) => n + u[k], 0);
  const promptTokens = sum('promptTokens');
  const completionTokens = sum('completionTokens');
  const offered = r.verdict.outcome === 'proposed' ? d.change?.patch : null;
  const refused = exp.refusedChange;
  return {
    ...base,
    status: 'ok',
    error: null,
    category: d.category,
    outcome: r.verdict.outcome,
    confidence: d.confidence,
    flags: r.verdict.flags,
    refusal: r.verdict.errors.length ? r.verdict.errors.join('; ') : null,
    categoryRight: exp.expectedCategory === null ? null : d.category === exp.expectedCategory,
    sameAsRecorded: recorded ? d.category === recorded.category : null,
    changeEquivalent: healed ? sameEffect(c, offered, exp.approvedChange) : null,
    reproposed: refused ? sameEffect(c, offered, refused) : null,
    llmCalls: r.usage.length,
    promptTokens,
    completionTokens,
    costUsd: estimateCost(prices, r.usage[0]?.model ?? engine.model, promptTokens, completionTokens),
    seconds: Number(r.seconds.toFixed(3)),
  };
}

/** A case passes when nothing confirmed contradicts it: right category, the approved effect, no re-proposal. */
export const replayPassed = (r: ReplayResult): boolean =>
  r.status === 'ok' && r.categoryRight !== false && r.changeEquivalent !== false && r.reproposed !== true;
