// Why a click did nothing, in words: expired, already decided, not applied yet, no longer stored.
import { describeTarget } from '../domain/index.js';
import type { StoredProposal } from '../workflow/proposal-record.js';
import { buildRefusalMessage } from './blocks/refusal-message.js';
import { formatAutofixCommand } from './parse-command.js';
import type { AutofixClick } from './slack-payloads.js';
import type { SlackMessage } from './slack-poster.js';

const WHO = (id: string | null): string => (id ? ` by ${id}` : '');

/** The reason a click on `record` (null: not stored) cannot act; pure, for the ephemeral answer. */
export function clickRefusalReason(
  record: StoredProposal | null,
  click: Pick<AutofixClick, 'actionId'>,
): string {
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
      return click.actionId === 'autofix_rollback'
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
      return click.actionId === 'autofix_rollback'
        ? 'This proposal has not been applied, so there is nothing to roll back.'
        : '';
    case 'stale':
      return `This proposal for ${what} is stale: ${record.detail ?? 'the workload changed since'}. Nothing was applied.`;
  }
}

/** The ephemeral refusal, offering the command that investigates again when the proposal is over. */
export function refusalFor(
  record: StoredProposal | null,
  click: Pick<AutofixClick, 'actionId'>,
): SlackMessage {
  const reason = clickRefusalReason(record, click) || 'Nothing to do for this click.';
  const over =
    record && ['expired', 'rejected', 'apply_failed', 'rolled_back', 'stale'].includes(record.state);
  return buildRefusalMessage(
    reason,
    over && record ? { rerunCommand: formatAutofixCommand(record.target) } : {},
  );
}
