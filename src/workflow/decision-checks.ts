// Re-checks at decision time (in the worker, not only in the bot): cluster, allowlist, authority, separation of
// duties, and in AUTOFIX_APPLY_AS=approver the approver's Kubernetes identity and the cluster's own SubjectAccessReview.
import {
  AutofixError,
  ErrorCode,
  type AccessReview,
  type KubeIdentity,
  type ResourceAccess,
  type Target,
} from '../domain/index.js';
import type { ApplyAs, TwoPerson } from '../config/config.js';
import { assertNamespaceAllowed } from '../safety/namespace-allowlist.js';
import type { StoredProposal } from './proposal-record.js';

/** The Authority port: who may approve, reject and roll back. */
export interface Authority {
  /** The Slack allowlist (AUTOFIX_APPROVERS users and user groups); in approver mode, everyone when unset. */
  isApprover(userId: string): Promise<boolean>;
  /** Approver mode: the Slack user's Kubernetes user and groups (AUTOFIX_IDENTITIES); null when not mapped. */
  identityOf?(userId: string): Promise<KubeIdentity | null>;
}

/** The cluster's authorizer (a SubjectAccessReview); only the worker holds one — the bot has no cluster credentials. */
export interface AccessReviewer {
  reviewAccess(subject: KubeIdentity, access: ResourceAccess): Promise<AccessReview>;
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
  /** AUTOFIX_APPLY_AS (default worker): approver = the cluster's RBAC decides, and the change is made as them. */
  applyAs?: ApplyAs;
  /** AUTOFIX_TWO_PERSON (default off here; the config defaults it to flagged in approver mode). */
  twoPerson?: TwoPerson;
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

/** Who decided, as the cluster knows them: both null when the worker acts as itself. */
export interface Authorized {
  identity: KubeIdentity | null;
  /** The SubjectAccessReview's answer; null in worker mode, or in a front end without a reviewer (the bot). */
  review: AccessReview | null;
}

const PLURAL: Record<Target['kind'], string> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
};

/** Every decision is a decision to patch this workload (a rollback patches it back): that is what is reviewed. */
export function accessFor(target: Target): ResourceAccess {
  return {
    verb: 'patch',
    group: 'apps',
    resource: PLURAL[target.kind],
    namespace: target.namespace,
    name: target.name,
  };
}

async function clusterIdentity(
  record: StoredProposal,
  decision: Decision,
  by: string,
  authority: Authority,
  reviewer: AccessReviewer | undefined,
): Promise<Authorized> {
  if (!authority.identityOf) throw new Error('AUTOFIX_APPLY_AS=approver needs an Authority with identityOf');
  const identity = await authority.identityOf(by);
  if (!identity) {
    throw new AutofixError(
      ErrorCode.NotAuthorized,
      `<@${by}> has no Kubernetes identity, so this ${decision} is refused (AUTOFIX_APPLY_AS=approver: the cluster's RBAC decides who approves). Nothing was changed.`,
      {
        hint: `Ask your platform team to map your Slack user id ${by} (or a Slack user group you are in) to your Kubernetes user and groups in AUTOFIX_IDENTITIES.`,
      },
    );
  }
  if (!reviewer) return { identity, review: null };
  const review = await reviewer.reviewAccess(identity, accessFor(record.target));
  if (!review.allowed) {
    throw new AutofixError(
      ErrorCode.NotAuthorized,
      `The cluster says ${review.reason}, so this ${decision} is refused. Nothing was changed.`,
      {
        hint: `Ask for a Role that allows patch on ${PLURAL[record.target.kind]} in ${record.target.namespace}, or ask someone who has one to decide.`,
      },
    );
  }
  return { identity, review };
}

/**
 * Throws a coded refusal (WRONG_CLUSTER, NAMESPACE_NOT_ALLOWED, NOT_AUTHORIZED) when the decision may not happen now.
 * In approver mode it also resolves the approver's identity and, given a reviewer, asks the cluster.
 */
export async function checkDecision(
  record: StoredProposal,
  decision: Decision,
  by: string,
  policy: DecisionPolicy,
  authority: Authority,
  reviewer?: AccessReviewer,
): Promise<Authorized> {
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
  if (policy.applyAs !== 'approver') return { identity: null, review: null };
  return clusterIdentity(record, decision, by, authority, reviewer);
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
