// Re-checks at decision time (in the worker, not only in the bot): allowlist, authority, separation of duties.
import { AutofixError, ErrorCode } from '../domain/index.js';
import { assertNamespaceAllowed } from '../safety/namespace-allowlist.js';
import type { StoredProposal } from './proposal-record.js';

/** The Authority port: who may approve, reject and roll back (AUTOFIX_APPROVERS, user groups…). */
export interface Authority {
  isApprover(userId: string): Promise<boolean>;
}

export interface DecisionPolicy {
  /** AUTOFIX_NAMESPACES as it is now, not as it was when the proposal was made. */
  namespaces: readonly string[];
  /** AUTOFIX_SELF_APPROVAL: false refuses an approval by the person who requested the investigation. */
  selfApproval: boolean;
}

export type Decision = 'approve' | 'reject' | 'rollback';

/** Throws a coded refusal (NAMESPACE_NOT_ALLOWED, NOT_AUTHORIZED) when the decision may not happen now. */
export async function checkDecision(
  record: StoredProposal,
  decision: Decision,
  by: string,
  policy: DecisionPolicy,
  authority: Authority,
): Promise<void> {
  if (decision !== 'reject') assertNamespaceAllowed(record.target.namespace, policy.namespaces);
  if (!(await authority.isApprover(by))) {
    throw new AutofixError(
      ErrorCode.NotAuthorized,
      `${by} is not (or no longer) an approver, so this ${decision} is refused. Nothing was changed.`,
      { hint: 'Approvers are listed in AUTOFIX_APPROVERS (user ids or user groups).' },
    );
  }
  if (decision === 'approve' && !policy.selfApproval && by === record.requestedBy) {
    throw new AutofixError(
      ErrorCode.NotAuthorized,
      `${by} requested this investigation and cannot also approve its fix (AUTOFIX_SELF_APPROVAL=false). Nothing was changed.`,
      { hint: 'Ask another approver to approve it.' },
    );
  }
}

/**
 * A click must come from where the proposal was posted: the same channel and, when both are known,
 * the same workspace. Returns the refusal in words, or null when the click may act.
 */
export function clickOriginRefusal(
  record: StoredProposal,
  click: { channelId: string | null; teamId: string | null },
): string | null {
  const sameTeam = !record.thread.teamId || !click.teamId || record.thread.teamId === click.teamId;
  if (click.channelId === record.thread.channel && sameTeam) return null;
  return 'This button belongs to a proposal posted in another channel or workspace, so the click is refused. Nothing was changed; decide in the thread where the proposal was posted.';
}
