// A proposal after its decision: same content, no buttons, and who approved or rejected it (or that it expired).
import { describeIdentity, type KubeIdentity } from '../../domain/index.js';
import { approverWords, type Approval } from '../../workflow/approval.js';
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
  /** Approver mode: who the decider is in Kubernetes (the change is made as them). */
  as?: KubeIdentity | null;
  /** Every approval, oldest first (two-person: the first approver is named too). */
  approvals?: readonly Pick<Approval, 'by' | 'identity'>[];
}

function byWords(input: DecidedProposalInput): string {
  if (!input.by) return '';
  const as = input.as ? ` as ${escapeMrkdwn(describeIdentity(input.as))}` : '';
  const earlier = (input.approvals ?? []).filter((a) => a.by !== input.by);
  const after = earlier.length > 0 ? `, after ${earlier.map(approverWords).join(', ')}` : '';
  return ` by ${mention(input.by)}${as}${after}`;
}

function decisionText(input: DecidedProposalInput): { mrkdwn: string; fallback: string } {
  const by = byWords(input);
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
