// Who the worker acts as for a step: itself (worker mode), or the human whose decision it carries out.
import {
  AutofixError,
  ErrorCode,
  type AccessReview,
  type Impersonation,
  type KubeIdentity,
} from '../domain/index.js';
import type { Cluster } from '../k8s/cluster.js';
import { EXTRA_KEYS, writingAs } from '../k8s/impersonation.js';
import type { Authority, DecisionPolicy } from './decision-checks.js';

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

/**
 * The cluster an investigation dry-runs its proposal through. Approver mode: as the requester (so the
 * server judges the change with their rights); a requester with no identity gets a clear refusal, since
 * the worker itself may not patch.
 */
export async function proposingCluster(
  cluster: Cluster,
  authority: Authority,
  policy: Pick<DecisionPolicy, 'applyAs'>,
  request: { requestedBy: string; proposalId: string },
): Promise<Cluster> {
  if (policy.applyAs !== 'approver') return cluster;
  const identity = (await authority.identityOf?.(request.requestedBy)) ?? null;
  if (identity)
    return clusterActingAs(cluster, identity, {
      slackUser: request.requestedBy,
      proposalId: request.proposalId,
      step: 'dry-run',
    });
  return {
    ...cluster,
    patchWorkload: async () => {
      throw new AutofixError(
        ErrorCode.NotAuthorized,
        `A fix was found but not proposed: with AUTOFIX_APPLY_AS=approver the server dry-run runs as the requester, and <@${request.requestedBy}> has no Kubernetes identity. Nothing was changed.`,
        {
          hint: `Ask your platform team to map ${request.requestedBy} in AUTOFIX_IDENTITIES, or ask a mapped teammate to run the investigation.`,
        },
      );
    },
  };
}
