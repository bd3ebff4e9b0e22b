// Re-checks at decision time (in the worker, not only in the bot): cluster, allowlist, authority, separation of duties.
import { AutofixError, ErrorCode } from '../domain/index.js';
import { assertNamespaceAllowed } from '../safety/namespace-allowlist.js';
import type { StoredProposal } from './proposal-record.js';

/** The Authority port: who may approve, reject and roll back (AUTOFIX_APPROVERS, user groups…). */
export interface Authority {
  isApprover(userId: string): Promise<boolean>;
}

export interface DecisionPolicy {
  /**
   * The allowlist of a cluster as it is now, not as it was when the proposal was made: the worker's and the
   * CLI's AUTOFIX_NAMESPACES for their own cluster, the bot's the one its workers registered.
   */
  namespacesOf(cluster: string): readonly string[];
  /** The one cluster this front end acts on (the worker's, the CLI's); null for the bot, which routes to each. */
  cluster: string | null;
  /** AUTOFIX_SELF_APPROVAL: false refuses an approval by the person who requested the investigation. */
  selfApproval: boolean;
}

export type Decision = 'approve' | 'reject' | 'rollback';

/**
 * A proposal of another cluster than the one this front end acts on (a routing mistake, or the CLI pointed at the
 * wrong kubeconfig): never decided or applied here. Callers keep the proposal as it is, for its own cluster.
 */
export function clusterRefusal(
  record: StoredProposal,
  decision: Decision,
  policy: DecisionPolicy,
): AutofixError | null {
  if (policy.cluster === null || record.cluster === policy.cluster) return null;
  return new AutofixError(
    ErrorCode.WrongCluster,
    `This proposal is for cluster ${record.cluster}, but this ${decision} reached one acting on cluster ${policy.cluster}. Nothing was changed.`,
    { hint: `Decide it where cluster ${record.cluster} is served (AUTOFIX_CLUSTER=${record.cluster}).` },
  );
}

/** A policy for a front end that acts on one cluster with one allowlist (the worker, the CLI). */
export function oneClusterPolicy(
  cluster: string,
  namespaces: readonly string[],
  selfApproval: boolean,
): DecisionPolicy {
  return { cluster, namespacesOf: (c) => (c === cluster ? namespaces : []), selfApproval };
}

/** Throws a coded refusal (WRONG_CLUSTER, NAMESPACE_NOT_ALLOWED, NOT_AUTHORIZED) when the decision may not happen now. */
export async function checkDecision(
  record: StoredProposal,
  decision: Decision,
  by: string,
  policy: DecisionPolicy,
  authority: Authority,
): Promise<void> {
  const elsewhere = clusterRefusal(record, decision, policy);
  if (elsewhere) throw elsewhere;
  if (decision !== 'reject')
    assertNamespaceAllowed(record.target.namespace, policy.namespacesOf(record.cluster));
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
