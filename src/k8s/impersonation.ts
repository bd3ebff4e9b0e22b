// Impersonation: a request authorized and audited as the human (impersonatedUser), sent with the worker's credentials.
import type { Impersonation } from '../domain/index.js';
import type { Cluster } from './cluster.js';

/**
 * The Impersonate-Extra keys kube-autofix sends (the audit event's `impersonatedUser.extra`); the chart's
 * impersonation ClusterRole grants exactly these (`userextras/<key>`).
 */
export const EXTRA_KEYS = {
  /** The Slack user id of the human the request is made as. */
  slackUser: 'kube-autofix.io/slack-user',
  /** The proposal the change belongs to. */
  proposal: 'kube-autofix.io/proposal',
  /** dry-run (at proposal time), apply or rollback. */
  step: 'kube-autofix.io/step',
  /** Two-person rule: the first approver's Kubernetes user (the second is the impersonated user). */
  firstApprover: 'kube-autofix.io/first-approver',
} as const;

/**
 * Impersonate-User, one Impersonate-Group per group, one Impersonate-Extra-<key> per value. The API
 * server lower-cases and percent-decodes extra keys, so `kube-autofix.io/proposal` is sent escaped (`%2F`).
 */
export function impersonationHeaders(who: Impersonation): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { 'impersonate-user': who.user };
  if (who.groups.length > 0) headers['impersonate-group'] = [...who.groups];
  for (const [key, values] of Object.entries(who.extra)) {
    if (values.length > 0)
      headers[`impersonate-extra-${encodeURIComponent(key.toLowerCase())}`] = [...values];
  }
  return headers;
}

/**
 * Reads as the worker, writes (the patch and its dry-run) as `who`: the human needs no read rights for
 * the rollout watch, and the worker needs no right of its own to patch.
 */
export function writingAs(cluster: Cluster, who: Impersonation): Cluster {
  const writer = cluster.as(who);
  return {
    apiCalls: () => cluster.apiCalls(),
    identity: writer.identity,
    getWorkload: (t) => cluster.getWorkload(t),
    list: (resource, namespace, opts) => cluster.list(resource, namespace, opts),
    get: (resource, namespace, name) => cluster.get(resource, namespace, name),
    getSecretKeys: (namespace, name) => cluster.getSecretKeys(namespace, name),
    getSecretValues: (namespace, name) => cluster.getSecretValues(namespace, name),
    listNodes: () => cluster.listNodes(),
    readLog: (namespace, pod, opts) => cluster.readLog(namespace, pod, opts),
    patchWorkload: (t, ops, opts) => writer.patchWorkload(t, ops, opts),
    as: (other) => cluster.as(other),
    reviewAccess: (subject, access) => cluster.reviewAccess(subject, access),
  };
}
