// A proposal after its decision: same content, no buttons, and who approved or rejected it (or that it expired).
import { formatAutofixCommand } from '../parse-command.js';
import { escapeMrkdwn, mention } from '../slack-limits.js';
import { message, section, type SlackMessage } from './block-parts.js';
import { feedbackBlocks } from './feedback-blocks.js';
import {
  proposalBlocks,
  proposalFallback,
  proposalFooter,
  type ProposalMessageInput,
} from './proposal-message.js';

export type ProposalDecision = 'approved' | 'rejected' | 'expired';

export interface DecidedProposalInput {
  proposal: ProposalMessageInput;
  decision: ProposalDecision;
  /** Slack user id of who decided; null for expiry. */
  by: string | null;
  /** The slash command's name, for the re-run offer; default `/autofix`. */
  command?: string;
}

function decisionText(input: DecidedProposalInput): { mrkdwn: string; fallback: string } {
  const by = input.by ? ` by ${mention(input.by)}` : '';
  switch (input.decision) {
    case 'approved':
      return {
        mrkdwn: `:white_check_mark: *Approved*${by} — applying the change.`,
        fallback: `approved${by}`,
      };
    case 'rejected':
      return { mrkdwn: `:no_entry_sign: *Rejected*${by} — nothing was changed.`, fallback: `rejected${by}` };
    case 'expired': {
      const rerun = escapeMrkdwn(formatAutofixCommand(input.proposal.target, input.command));
      return {
        mrkdwn: `:hourglass: *Expired* — nothing was changed. To investigate again, run \`${rerun}\`.`,
        fallback: 'expired',
      };
    }
  }
}

export function buildDecidedProposalMessage(input: DecidedProposalInput): SlackMessage {
  const decided = decisionText(input);
  return message(`${proposalFallback(input.proposal)} — ${decided.fallback}`, [
    ...proposalBlocks(input.proposal),
    section(decided.mrkdwn, 'autofix_decision'),
    ...feedbackBlocks(input.proposal.feedbackRunId),
    proposalFooter(input.proposal, input.decision === 'expired' ? 'Expired' : null),
  ]);
}
