// The ephemeral answer to a click that did nothing: the workflow's reason, and the command that investigates again.
import { buildRefusalMessage } from '../slack/blocks/refusal-message.js';
import { formatAutofixCommand } from '../slack/parse-command.js';
import { AUTOFIX_DECISIONS, type AutofixClick } from '../slack/slack-payloads.js';
import type { SlackMessage } from '../slack/slack-poster.js';
import { decisionRefusalReason } from '../workflow/decision-refusal.js';
import type { StoredProposal } from '../workflow/proposal-record.js';

/** The ephemeral refusal, offering the command that investigates again when the proposal is over. */
export function refusalFor(
  record: StoredProposal | null,
  click: Pick<AutofixClick, 'actionId'>,
): SlackMessage {
  const reason =
    decisionRefusalReason(record, AUTOFIX_DECISIONS[click.actionId]) || 'Nothing to do for this click.';
  const over =
    record && ['expired', 'rejected', 'apply_failed', 'rolled_back', 'stale'].includes(record.state);
  return buildRefusalMessage(
    reason,
    over && record ? { rerunCommand: formatAutofixCommand(record.target) } : {},
  );
}
