// At worker start (approver mode): refuse an identity map that would let the worker impersonate a cluster-admin.
import type { IdentityMap } from '../config/identities.js';
import { AutofixError, ErrorCode, describeIdentity, type KubeIdentity } from '../domain/index.js';
import type { AccessReviewer } from './decision-checks.js';

/** Anything on everything, cluster-wide: what cluster-admin (or system:masters) may do. */
const EVERYTHING = { verb: '*', group: '*', resource: '*', namespace: '' };
/** A name no binding refers to: a Slack user group's Kubernetes groups are reviewed on their own. */
const GROUP_PROBE = 'kube-autofix:group-check';

/**
 * Asks the cluster, for every mapped identity and every mapped Slack user group, whether it may do
 * everything; any that may would make the worker cluster-admin through impersonation, so start is refused.
 */
export async function assertNoClusterAdmins(map: IdentityMap, reviewer: AccessReviewer): Promise<void> {
  const checks: Array<[string, KubeIdentity]> = [
    ...Object.entries(map.users).map(([key, id]): [string, KubeIdentity] => [key, id]),
    ...Object.entries(map.groups).map(([key, groups]): [string, KubeIdentity] => [
      key,
      { user: GROUP_PROBE, groups },
    ]),
  ];
  for (const [key, identity] of checks) {
    const review = await reviewer.reviewAccess(identity, EVERYTHING);
    if (!review.allowed) continue;
    const who =
      identity.user === GROUP_PROBE ? `groups ${identity.groups.join(', ')}` : describeIdentity(identity);
    throw new AutofixError(
      ErrorCode.ConfigInvalid,
      `AUTOFIX_IDENTITIES maps ${key} to ${who}, which may do everything in this cluster (cluster-admin equivalent); kube-autofix never impersonates such an identity, so the worker does not start.`,
      {
        hint: 'Map approvers to users and groups with namespaced Roles (patch on the workloads they approve), and keep cluster-admin for break-glass access outside kube-autofix.',
      },
    );
  }
}
