// The one decision step: approve, reject or request a rollback — re-check, one atomic move, the run tagged.
import { describeIdentity, isAutofixError } from '../domain/index.js';
import type { Tracker } from '../tracking/tracker.js';
import { verdictLabels } from '../tracking/outcome-labels.js';
import { approvalsNeeded, type Approval } from './approval.js';
import {
  checkDecision,
  type AccessReviewer,
  type Authority,
  type Authorized,
  type Decision,
  type DecisionPolicy,
} from './decision-checks.js';
import type { ProposalState, StoredProposal } from './proposal-record.js';
import type { ProposalStore, TransitionRequest } from './proposal-store.js';
import type { Clock } from './clock.js';

export type { Decision } from './decision-checks.js';

export interface DecisionDeps {
  store: ProposalStore;
  tracker: Pick<Tracker, 'recordDecision'>;
  authority: Authority;
  decisions: DecisionPolicy;
  clock: Clock;
  /** The cluster's SubjectAccessReview (the worker); absent where there are no cluster credentials (the bot). */
  reviewer?: AccessReviewer;
}

export type DecisionResult =
  /** The move happened: `approved` (apply next), `rejected`, or `rolling_back` (roll back next). */
  | { kind: 'decided'; decision: Decision; record: StoredProposal; by: Authorized }
  /** Two-person rule: this approval is recorded, `needed - record.approvals.length` more are needed. */
  | { kind: 'pending'; record: StoredProposal; needed: number; by: Authorized }
  /**
   * Approver mode without a reviewer (the bot): every check short of the cluster passed; the worker
   * must decide with a SubjectAccessReview. Nothing moved.
   */
  | { kind: 'needs_review'; record: StoredProposal }
  /** The TTL passed before the decision: the proposal is now `expired`. */
  | { kind: 'expired'; record: StoredProposal }
  /** The re-checks refused it (allowlist, authority, identity, RBAC, separation of duties, the front end's check). */
  | { kind: 'refused'; reason: string; record: StoredProposal }
  /** Someone decided first, or the move is not legal from the proposal's state. */
  | { kind: 'conflict'; record: StoredProposal }
  | { kind: 'missing' };

/** Where each decision may move from, and to. */
const MOVES: Record<Decision, { from: readonly ProposalState[]; to: ProposalState }> = {
  approve: { from: ['proposed'], to: 'approved' },
  reject: { from: ['proposed'], to: 'rejected' },
  rollback: { from: ['applied', 'rollback_failed'], to: 'rolling_back' },
};

function request(decision: Exclude<Decision, 'approve'>, by: string, now: number): TransitionRequest {
  const { from, to } = MOVES[decision];
  if (decision === 'rollback') return { from, to, fields: { rolledBackBy: by } };
  return { from, to, fields: { decidedBy: by, decidedAt: String(now) }, honourExpiry: true, now };
}

/** "U1 as priya@example.com (groups: sre)": an approval as the run records it. */
const approvalTag = (a: Approval): string =>
  a.identity ? `${a.by} as ${describeIdentity(a.identity)}` : a.by;

function tagsOf(
  decision: Decision,
  by: string,
  auth: Authorized,
  record: StoredProposal,
): Record<string, string> {
  const word = { approve: 'approved', reject: 'rejected', rollback: 'rollback_requested' }[decision];
  const who: Record<string, string> = {};
  if (auth.identity) who[`autofix.${word}_as`] = describeIdentity(auth.identity);
  if (auth.review) who[`autofix.${word}_review`] = auth.review.reason;
  if (decision === 'rollback') return { 'autofix.rollback_requested_by': by, ...who };
  const key = decision === 'approve' ? 'autofix.approved_by' : 'autofix.rejected_by';
  // The approvals are worth their own tag when there were two, or when they name Kubernetes identities.
  const named = record.approvals.length > 1 || record.approvals.some((a) => a.identity);
  const approvals: Record<string, string> =
    decision === 'approve' && named
      ? { 'autofix.approvals': record.approvals.map(approvalTag).join('; ') }
      : {};
  return {
    'autofix.decision': decision === 'approve' ? 'approved' : 'rejected',
    ...(by ? { [key]: by } : {}),
    ...approvals,
    ...who,
  };
}

const SECOND_APPROVER =
  'A second, different approver is needed (AUTOFIX_TWO_PERSON); nothing was changed yet.';

/** Records one approval atomically: counted once per person, the requester refused when self-approval is off. */
async function approve(
  deps: DecisionDeps,
  current: StoredProposal,
  by: string,
  auth: Authorized,
): Promise<DecisionResult> {
  const now = deps.clock.now();
  const needed = approvalsNeeded(current, deps.decisions.twoPerson);
  const approval: Approval = {
    by,
    at: now,
    identity: auth.identity,
    review: auth.review?.reason ?? null,
  };
  const refuse = deps.decisions.selfApproval ? [] : [current.requestedBy];
  const moved = await deps.store.recordApproval(current.id, approval, { needed, refuse, now });
  switch (moved.kind) {
    case 'missing':
      return moved;
    case 'conflict':
      return { kind: 'conflict', record: moved.record };
    case 'expired':
      await deps.tracker.recordDecision(moved.record.runId, {
        'autofix.decision': 'expired',
        ...verdictLabels(moved.record.iteration, 'expired'),
      });
      return { kind: 'expired', record: moved.record };
    case 'duplicate':
      return {
        kind: 'refused',
        reason: `You already approved this change. ${SECOND_APPROVER}`,
        record: moved.record,
      };
    case 'refused':
      return {
        kind: 'refused',
        reason: `${by} requested this investigation and cannot also approve its fix (AUTOFIX_SELF_APPROVAL=false). ${SECOND_APPROVER}`,
        record: moved.record,
      };
    case 'recorded':
      await deps.tracker.recordDecision(moved.record.runId, {
        'autofix.approvals': moved.record.approvals.map(approvalTag).join('; '),
        'autofix.approvals_needed': String(needed),
      });
      return { kind: 'pending', record: moved.record, needed, by: auth };
    case 'approved':
      await deps.tracker.recordDecision(moved.record.runId, {
        ...tagsOf('approve', by, auth, moved.record),
        ...(needed > 1 ? { 'autofix.approvals_needed': String(needed) } : {}),
        // The verdict on this iteration's proposal and the change approved, for eval --replay to score against.
        ...verdictLabels(moved.record.iteration, 'approved', moved.record.proposal.change),
      });
      return { kind: 'decided', decision: 'approve', record: moved.record, by: auth };
  }
}

/**
 * Decides on a stored proposal as `by`. `frontEndCheck` is the front end's own refusal (Slack: the click's
 * channel, whether the change was shown whole), asked after the record is read and before anything moves.
 */
export async function decide(
  deps: DecisionDeps,
  proposalId: string,
  decision: Decision,
  by: string,
  frontEndCheck?: (record: StoredProposal) => string | null,
): Promise<DecisionResult> {
  const current = await deps.store.get(proposalId);
  if (!current) return { kind: 'missing' };
  const own = frontEndCheck?.(current) ?? null;
  if (own) return { kind: 'refused', reason: own, record: current };
  let auth: Authorized = { identity: null, review: null };
  // Only a decision the proposal's state allows is checked further; the rest is a conflict below.
  if (MOVES[decision].from.includes(current.state)) {
    try {
      auth = await checkDecision(current, decision, by, deps.decisions, deps.authority, deps.reviewer);
    } catch (e) {
      // A cluster that does not answer the review is retried, never read as a refusal.
      if (!isAutofixError(e) || e.transient) throw e;
      return { kind: 'refused', reason: e.describe(), record: current };
    }
    // The cluster's answer is the worker's to get: the bot hands the decision on.
    if (deps.decisions.applyAs === 'approver' && !deps.reviewer)
      return { kind: 'needs_review', record: current };
  }
  if (decision === 'approve') return approve(deps, current, by, auth);
  const now = deps.clock.now();
  const moved = await deps.store.transition(proposalId, request(decision, by, now));
  if (moved.kind === 'missing') return moved;
  if (moved.kind === 'conflict') return { kind: 'conflict', record: moved.record };
  if (moved.kind === 'expired') {
    await deps.tracker.recordDecision(moved.record.runId, {
      'autofix.decision': 'expired',
      ...verdictLabels(moved.record.iteration, 'expired'),
    });
    return { kind: 'expired', record: moved.record };
  }
  const r = moved.record;
  // The verdict on this iteration's proposal (and the change approved), for eval --replay to score against.
  const labels = decision === 'rollback' ? {} : verdictLabels(r.iteration, 'rejected', r.proposal.change);
  await deps.tracker.recordDecision(r.runId, { ...tagsOf(decision, by, auth, r), ...labels });
  return { kind: 'decided', decision, record: r, by: auth };
}

/** The job a decision hands on: an approval is applied, a rollback rolled back; a lost apply job is re-enqueued. */
export function stepAfter(res: DecisionResult, decision: Decision): 'apply' | 'rollback' | null {
  if (res.kind === 'decided' && decision !== 'reject') return decision === 'approve' ? 'apply' : 'rollback';
  // An approval whose apply job was lost (a crash between the two) is handed on again: the job is idempotent.
  if (res.kind === 'conflict' && decision === 'approve' && res.record.state === 'approved') return 'apply';
  return null;
}
