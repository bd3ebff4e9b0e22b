// Who a person is in Kubernetes (user and groups), what the cluster's authorizer answered, and what an approval records.
import { z } from 'zod';

/** A Kubernetes user name and its groups, as an approver is impersonated and reviewed. */
export const KubeIdentity = z.object({
  user: z.string().min(1),
  groups: z.array(z.string().min(1)),
});
export type KubeIdentity = z.infer<typeof KubeIdentity>;

/** The SubjectAccessReview's answer: `reason` is the API server's own words (or ours when it gave none). */
export const AccessReview = z.object({
  allowed: z.boolean(),
  reason: z.string(),
});
export type AccessReview = z.infer<typeof AccessReview>;

/** What a request is reviewed for: may `verb` `resource` (of `group`) named `name` in `namespace`. */
export interface ResourceAccess {
  verb: string;
  group: string;
  resource: string;
  namespace: string;
  name?: string;
}

/** An impersonated request: the human's identity plus `extra` keys (Impersonate-Extra-<key>) naming why. */
export interface Impersonation extends KubeIdentity {
  extra: Record<string, string[]>;
}

/** "priya@example.com (groups: sre, oncall)", as the thread and the run name who acted. */
export function describeIdentity(id: KubeIdentity): string {
  return id.groups.length > 0 ? `${id.user} (groups: ${id.groups.join(', ')})` : id.user;
}

/** Users and groups whose impersonation would hand the worker the cluster (or the control plane's own powers). */
export function privilegedIdentityReason(kind: 'user' | 'group', name: string): string | null {
  if (name === 'system:masters') return 'system:masters bypasses RBAC entirely (cluster-admin)';
  if (kind === 'group' && name === 'kubeadm:cluster-admins')
    return 'kubeadm:cluster-admins is bound to cluster-admin by kubeadm';
  if (name.startsWith('system:'))
    return `${name} is reserved for Kubernetes itself (nodes, controllers, service accounts)`;
  return null;
}
