// What happened to a proposal, as run tags a replay reads back: the verdict, the rollout, rollback, feedback, corrections.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../domain/canonical-json.js';
import { Category, PatchOp, type Change } from '../domain/index.js';
import { MLFLOW_LIMITS } from './split-log-batch.js';

/**
 * Tags of the investigation's parent run. Per proposal (one iteration): `autofix.label.<n>.<what>`;
 * per incident: `autofix.label.<what>`. Written as things happen, by whichever process sees them.
 */
const PREFIX = 'autofix.label';
const perIteration = (n: number, what: string): string => `${PREFIX}.${n}.${what}`;
const perIncident = (what: string): string => `${PREFIX}.${what}`;

export const Verdict = z.enum(['approved', 'rejected', 'expired', 'stale']);
export type Verdict = z.infer<typeof Verdict>;

/** `sha256:<hex>` of the patch's canonical JSON: how a change too long for one tag is kept. */
export function changeDigest(change: Pick<Change, 'patch'>): string {
  return `sha256:${createHash('sha256').update(canonicalJson(change.patch)).digest('hex')}`;
}

/** A change too long for one tag is kept as its digest; replay then compares with the bundle's own change. */
function changeValue(change: Change): string {
  const json = canonicalJson(change.patch);
  return json.length <= MLFLOW_LIMITS.tagValueLength ? json : changeDigest(change);
}

/** The decision on iteration n's proposal; an approval carries the change approved. */
export function verdictLabels(
  iteration: number,
  verdict: Verdict,
  change?: Change | null,
): Record<string, string> {
  return {
    [perIteration(iteration, 'verdict')]: verdict,
    ...(verdict === 'approved' && change
      ? { [perIteration(iteration, 'approved_change')]: changeValue(change) }
      : {}),
  };
}

/** Applied, and whether the rollout became healthy (judged by the rollout watch and its settle window). */
export function rolloutLabels(iteration: number, healthy: boolean): Record<string, string> {
  return {
    [perIteration(iteration, 'applied')]: 'true',
    [perIteration(iteration, 'healthy')]: String(healthy),
  };
}

export function rollbackLabels(iteration: number): Record<string, string> {
  return { [perIteration(iteration, 'rolled_back')]: 'true' };
}

const CORRECTION = /wrong\s+diagnosis\s*[:,-]?\s*(?:it\s+was\s+|it's\s+|actually\s+)?([a-z][a-z _-]*[a-z])/i;

/** "wrong diagnosis: it was oom_killed" (or "oom killed") → the category a person says it really was. */
export function parseCorrection(reason: string | null | undefined): Category | null {
  const m = reason ? CORRECTION.exec(reason) : null;
  if (!m) return null;
  const words = m[1]!.toLowerCase().replace(/[\s-]+/g, '_');
  // The longest category name the words start with: "oom_killed_again" is still oom_killed.
  const hit = [...Category.options]
    .sort((a, b) => b.length - a.length)
    .find((c) => words === c || words.startsWith(`${c}_`));
  return hit ?? null;
}

/** A person's 👍/👎 with its reason; "wrong diagnosis: it was X" also becomes the expected category. */
export function feedbackLabels(helpful: boolean, reason: string | null): Record<string, string> {
  const text = reason?.trim() ?? '';
  const corrected = parseCorrection(text);
  return {
    [perIncident('feedback')]: helpful ? 'up' : 'down',
    [perIncident('feedback_reason')]: text.slice(0, 2000),
    ...(corrected ? expectedCategoryLabels(corrected, 'human') : {}),
  };
}

/** What the incident really was: a person's correction, or an eval case's stated expectation. */
export function expectedCategoryLabels(category: Category, source: 'human' | 'eval'): Record<string, string> {
  return { [perIncident('expected_category')]: category, [perIncident('expected_source')]: source };
}

export const CaseLabels = z.object({
  verdict: Verdict.nullable(),
  /** The approved JSON Patch, or null when none was approved (or it was kept only as a digest). */
  approvedChange: z.array(PatchOp).nullable(),
  /** `sha256:…` of the approved patch when it was too long for a tag. */
  approvedChangeDigest: z.string().nullable(),
  applied: z.boolean(),
  healthy: z.boolean().nullable(),
  rolledBack: z.boolean(),
  feedback: z.enum(['up', 'down']).nullable(),
  feedbackReason: z.string().nullable(),
  expectedCategory: Category.nullable(),
  expectedSource: z.enum(['human', 'eval']).nullable(),
  /** The sandbox eval case the investigation ran for (tag `autofix.eval.case`). */
  evalCase: z.string().nullable(),
});
export type CaseLabels = z.infer<typeof CaseLabels>;

export const EVAL_CASE_TAG = 'autofix.eval.case';

function parsedChange(raw: string | undefined): Pick<CaseLabels, 'approvedChange' | 'approvedChangeDigest'> {
  if (!raw) return { approvedChange: null, approvedChangeDigest: null };
  if (raw.startsWith('sha256:')) return { approvedChange: null, approvedChangeDigest: raw };
  try {
    const ops = z.array(PatchOp).safeParse(JSON.parse(raw));
    return { approvedChange: ops.success ? ops.data : null, approvedChangeDigest: null };
  } catch {
    return { approvedChange: null, approvedChangeDigest: null };
  }
}

/** The labels of iteration n read from the run's tags; unknown or damaged values read as absent. */
export function readLabels(tags: Record<string, string>, iteration: number): CaseLabels {
  const at = (what: string): string | undefined => tags[perIteration(iteration, what)];
  const inc = (what: string): string | undefined => tags[perIncident(what)];
  const bool = (v: string | undefined): boolean | null =>
    v === 'true' ? true : v === 'false' ? false : null;
  const verdict = Verdict.safeParse(at('verdict'));
  const feedback = z.enum(['up', 'down']).safeParse(inc('feedback'));
  const expected = Category.safeParse(inc('expected_category'));
  const source = z.enum(['human', 'eval']).safeParse(inc('expected_source'));
  return {
    verdict: verdict.success ? verdict.data : null,
    ...parsedChange(at('approved_change')),
    applied: at('applied') === 'true',
    healthy: bool(at('healthy')),
    rolledBack: at('rolled_back') === 'true',
    feedback: feedback.success ? feedback.data : null,
    feedbackReason: inc('feedback_reason') || null,
    expectedCategory: expected.success ? expected.data : null,
    expectedSource: source.success ? source.data : null,
    evalCase: tags[EVAL_CASE_TAG] ?? null,
  };
}

/** Whether anything beyond the recording itself is known about the case. */
export function isLabelled(l: CaseLabels): boolean {
  return l.verdict !== null || l.feedback !== null || l.expectedCategory !== null || l.rolledBack;
}
