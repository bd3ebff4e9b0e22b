// Who the worker acts as for a step: itself (worker mode), or the human whose decision it carries out.
import type { AccessReview, Impersonation, KubeIdentity, Target } from '../domain/index.js';
import type { Cluster } from '../k8s/cluster.js';
import { EXTRA_KEYS, writingAs } from '../k8s/impersonation.js';
import { accessFor, type Authority, type DecisionPolicy } from './decision-checks.js';

export type ActingStep = 'dry-run' | 'apply' | 'rollback';

export interface ActingAs {
  /** The human's Kubernetes identity; null: the worker's own account. */
  identity: KubeIdentity | null;
  /** The fresh SubjectAccessReview right before the step; null without one. */
  review: AccessReview | null;
}

/** The impersonation of one step: the human, their Slack id, the proposal, the step (and a first approver). */
export function impersonationFor(
  identity: KubeIdentity,
  ctx: { slackUser: string; proposalId: string; step: ActingStep; firstApprover?: KubeIdentity | null },
): Impersonation {
  return {
    user: identity.user,
    groups: identity.groups,
    extra: {
      [EXTRA_KEYS.slackUser]: [ctx.slackUser],
      [EXTRA_KEYS.proposal]: [ctx.proposalId],
      [EXTRA_KEYS.step]: [ctx.step],
      ...(ctx.firstApprover ? { [EXTRA_KEYS.firstApprover]: [ctx.firstApprover.user] } : {}),
    },
  };
}

/** The cluster a step writes through: reads stay the worker's, the patch goes as the human when there is one. */
export function clusterActingAs(
  cluster: Cluster,
  identity: KubeIdentity | null,
  ctx: Parameters<typeof impersonationFor>[1],
): Cluster {
  return identity ? writingAs(cluster, impersonationFor(identity, ctx)) : cluster;
}

/** The cluster an investigation reads and dry-runs through, or why its dry-run cannot run now. */
export interface Proposing {
  cluster: Cluster;
  /** Set when no identity may make the server dry-run; the server judges the change at apply instead. */
  dryRunDeferred: string | null;
}

/**
 * Worker mode: the worker's own cluster. Approver mode: the dry-run is sent as the requester, so the
 * server judges the change with their rights. A requester with no Kubernetes identity (an alert, an
 * unmapped Slack user) has nobody to run it as — the worker may not patch, and RBAC cannot grant a
 * dry-run alone — so it is deferred: the approver's own patch is what the server judges. So is a
 * requester the cluster does not let patch the workload (asked first, by a SubjectAccessReview): their
 * dry-run would only be forbidden, and asking for a fix is not deciding it — an approver who may decides.
 */
export async function proposingCluster(
  cluster: Cluster,
  authority: Authority,
  policy: Pick<DecisionPolicy, 'applyAs'>,
  request: { requestedBy: string; proposalId: string; target: Target },
): Promise<Proposing> {
  if (policy.applyAs !== 'approver') return { cluster, dryRunDeferred: null };
  const identity = (await authority.identityOf?.(request.requestedBy)) ?? null;
  if (!identity)
    return {
      cluster,
      dryRunDeferred:
        'not run at proposal time: the requester has no Kubernetes identity to run it as (AUTOFIX_APPLY_AS=approver); the server judges the patch when an approver applies it, as them',
    };
  // A review that cannot be made (the API server down) fails the round like any read, and is retried.
  const review = await cluster.reviewAccess(identity, accessFor(request.target));
  if (!review.allowed)
    return {
      cluster,
      dryRunDeferred: `not run at proposal time: the cluster says ${review.reason}, so the requester cannot approve it either (AUTOFIX_APPLY_AS=approver); an approver who may patch it decides, and the server judges the patch when they apply it, as them`,
    };
  const as = clusterActingAs(cluster, identity, {
    slackUser: request.requestedBy,
    proposalId: request.proposalId,
    step: 'dry-run',
  });
  return { cluster: as, dryRunDeferred: null };
}
