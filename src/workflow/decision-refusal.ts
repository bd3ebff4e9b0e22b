// Why a decision did nothing, in words, from the proposal's state: expired, already decided, not applied yet, gone.
import { describeTarget } from '../domain/index.js';
import type { Decision } from './decision-checks.js';
import type { StoredProposal } from './proposal-record.js';

const WHO = (id: string | null): string => (id ? ` by ${id}` : '');

/** Why `decision` on `record` (null: not stored) cannot happen, in words; '' when its state does not explain it. */
export function decisionRefusalReason(record: StoredProposal | null, decision: Decision): string {
  if (!record)
    return 'This proposal is no longer stored (proposals are kept for 7 days). Nothing was changed.';
  const what = describeTarget(record.target);
  switch (record.state) {
    case 'expired':
      return `This proposal for ${what} expired at ${new Date(record.expiresAt).toISOString()} (AUTOFIX_PROPOSAL_TTL). Nothing was applied.`;
    case 'approved':
    case 'applying':
      return `This proposal was already approved${WHO(record.decidedBy)}; it is being applied.`;
    case 'applied':
      return decision === 'rollback'
        ? ''
        : `This proposal was already approved${WHO(record.decidedBy)} and applied.`;
    case 'rejected':
      return `This proposal was rejected${WHO(record.decidedBy)}. Nothing was applied.`;
    case 'apply_failed':
      return `This proposal was approved but not applied: ${record.detail ?? 'it was refused'}.`;
    case 'rolling_back':
      return `A rollback was already requested${WHO(record.rolledBackBy)}; it is running.`;
    case 'rolled_back':
      return `This change was already rolled back${WHO(record.rolledBackBy)}.`;
    case 'rollback_failed':
      return `The last rollback failed: ${record.detail ?? 'see the thread'}.`;
    case 'proposed':
      return decision === 'rollback'
        ? 'This proposal has not been applied, so there is nothing to roll back.'
        : '';
    case 'stale':
      return `This proposal for ${what} is stale: ${record.detail ?? 'the workload changed since'}. Nothing was applied.`;
  }
}
