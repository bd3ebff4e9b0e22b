// The workload an investigation is about, and the grammar of `<kind>/<name>` shared by CLI and Slack.
import { z } from 'zod';

export const WorkloadKind = z.enum(['Deployment', 'StatefulSet', 'DaemonSet']);
export type WorkloadKind = z.infer<typeof WorkloadKind>;

// RFC 1123 subdomain (object names) and label (namespaces), as the API server enforces them.
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const Target = z.object({
  kind: WorkloadKind,
  name: z.string().max(253).regex(DNS1123_SUBDOMAIN, 'must be a lowercase RFC 1123 name'),
  namespace: z.string().max(63).regex(DNS1123_LABEL, 'must be a lowercase RFC 1123 label'),
});
export type Target = z.infer<typeof Target>;

const KIND_ALIASES: Record<string, WorkloadKind> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  sts: 'StatefulSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  ds: 'DaemonSet',
};

export const SUPPORTED_KINDS = Object.keys(KIND_ALIASES);

/** Objects a target may be given as and that resolve to the workload owning them. */
export const OwnedKind = z.enum(['Pod', 'ReplicaSet']);
export type OwnedKind = z.infer<typeof OwnedKind>;

const OWNED_ALIASES: Record<string, OwnedKind> = {
  pod: 'Pod',
  pods: 'Pod',
  po: 'Pod',
  replicaset: 'ReplicaSet',
  replicasets: 'ReplicaSet',
  rs: 'ReplicaSet',
};

/** A workload, or a pod/ReplicaSet that stands for the workload owning it. */
export const TargetRef = z.object({
  kind: z.union([WorkloadKind, OwnedKind]),
  name: z.string(),
  namespace: z.string(),
});
export type TargetRef = z.infer<typeof TargetRef>;

/** A reference that is a workload itself (not a pod or ReplicaSet standing for one). */
export function isWorkloadRef(ref: TargetRef): ref is Target {
  return WorkloadKind.safeParse(ref.kind).success;
}

export function normalizeOwnedKind(word: string): OwnedKind | null {
  return OWNED_ALIASES[word.toLowerCase()] ?? null;
}

export const SUPPORTED_REF_KINDS = [...SUPPORTED_KINDS, ...Object.keys(OWNED_ALIASES)];

/** Maps `deploy`, `deployments`, `Deployment`… to a workload kind, or null when unsupported. */
export function normalizeKind(word: string): WorkloadKind | null {
  const w = word.toLowerCase();
  // Own keys only: `__proto__` or `constructor` must not reach Object.prototype.
  return Object.hasOwn(KIND_ALIASES, w) ? KIND_ALIASES[w]! : null;
}

/** `deployment/web` in `shop` is written `Deployment shop/web` in messages and `Deployment/shop/web` in tags. */
export function describeTarget(t: TargetRef): string {
  return `${t.kind.toLowerCase()}/${t.name} in ${t.namespace}`;
}

export function targetKey(t: Target): string {
  return `${t.kind.toLowerCase()}/${t.namespace}/${t.name}`;
}
