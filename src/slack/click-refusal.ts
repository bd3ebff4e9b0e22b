// The private answer to a click that did nothing: the workflow's reason, and the command that investigates again.
import { buildRefusalMessage } from './blocks/refusal-message.js';
import { formatAutofixCommand } from './parse-command.js';
import type { SlackMessage } from './slack-poster.js';
import type { Decision } from '../workflow/decision-checks.js';
import { decisionRefusalReason } from '../workflow/decision-refusal.js';
import type { StoredProposal } from '../workflow/proposal-record.js';

/** The refusal, offering the command that investigates again when the proposal is over. */
export function refusalFor(record: StoredProposal | null, decision: Decision): SlackMessage {
  const reason = decisionRefusalReason(record, decision) || 'Nothing to do for this click.';
  const over =
    record && ['expired', 'rejected', 'apply_failed', 'rolled_back', 'stale'].includes(record.state);
  return buildRefusalMessage(
    reason,
    over && record ? { rerunCommand: formatAutofixCommand(record.target) } : {},
  );
}
