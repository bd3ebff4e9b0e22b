// The one decision step: approve, reject or request a rollback — re-check, one atomic move, the run tagged.
import { isAutofixError } from '../domain/index.js';
import type { Tracker } from '../tracking/tracker.js';
import { verdictLabels } from '../tracking/outcome-labels.js';
import { checkDecision, type Authority, type Decision, type DecisionPolicy } from './decision-checks.js';
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
}

export type DecisionResult =
  /** The move happened: `approved` (apply next), `rejected`, or `rolling_back` (roll back next). */
  | { kind: 'decided'; decision: Decision; record: StoredProposal }
  /** The TTL passed before the decision: the proposal is now `expired`. */
  | { kind: 'expired'; record: StoredProposal }
  /** The re-checks refused it (allowlist, authority, separation of duties, or the front end's own check). */
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

function request(decision: Decision, by: string, now: number): TransitionRequest {
  const { from, to } = MOVES[decision];
  if (decision === 'rollback') return { from, to, fields: { rolledBackBy: by } };
  return { from, to, fields: { decidedBy: by, decidedAt: String(now) }, honourExpiry: true, now };
}

function tagsOf(decision: Decision, by: string): Record<string, string> {
  if (decision === 'rollback') return { 'autofix.rollback_requested_by': by };
  const who = decision === 'approve' ? 'autofix.approved_by' : 'autofix.rejected_by';
  return {
    'autofix.decision': decision === 'approve' ? 'approved' : 'rejected',
    ...(by ? { [who]: by } : {}),
  };
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
  // Only a decision the proposal's state allows is checked further; the rest is a conflict below.
  if (MOVES[decision].from.includes(current.state)) {
    try {
      await checkDecision(current, decision, by, deps.decisions, deps.authority);
    } catch (e) {
      if (!isAutofixError(e)) throw e;
      return { kind: 'refused', reason: e.describe(), record: current };
    }
  }
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
  const labels =
    decision === 'rollback'
      ? {}
      : verdictLabels(r.iteration, decision === 'approve' ? 'approved' : 'rejected', r.proposal.change);
  await deps.tracker.recordDecision(r.runId, { ...tagsOf(decision, by), ...labels });
  return { kind: 'decided', decision, record: moved.record };
}
