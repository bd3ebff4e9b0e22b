// A stored proposal as the Block Kit builders see it (the same view for the first post and every later edit).
import { summarizeDiagnosis } from '../domain/index.js';
import type { TwoPerson } from '../config/config.js';
import { approvalsNeeded } from '../workflow/approval.js';
import type { ProposalRecord, StoredProposal } from '../workflow/proposal-record.js';
import type { ProposalMessageInput } from './blocks/proposal-message.js';

/** `twoPerson`: AUTOFIX_TWO_PERSON, so the message says how many approvers it needs (default: one). */
export function proposalView(
  record: ProposalRecord & Partial<Pick<StoredProposal, 'approvals'>>,
  twoPerson: TwoPerson = 'off',
): ProposalMessageInput {
  const d = record.diagnosis;
  return {
    target: record.target,
    cluster: record.cluster,
    diagnosis: d
      ? { ...summarizeDiagnosis(d), notes: d.notes }
      : {
          category: 'unknown',
          rootCause: record.proposal.change.summary.join('; ') || 'see the diff',
          summary: '',
          confidence: 0,
          engine: 'rules',
        },
    changes: record.proposal.changes,
    engineExplanation: record.proposal.change.summary,
    diff: record.proposal.diff,
    validation: record.proposal.validation,
    runUrl: record.runUrl,
    proposalId: record.id,
    expiresAt: new Date(record.expiresAt).toISOString(),
    gitops: record.proposal.gitops ?? null,
    feedbackRunId: record.runId,
    approvalsNeeded: approvalsNeeded(record, twoPerson),
    approvals: record.approvals ?? [],
    llm: record.llm ?? null,
  };
}
