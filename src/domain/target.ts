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

/** Maps `deploy`, `deployments`, `Deployment`… to a workload kind, or null when unsupported. */
export function normalizeKind(word: string): WorkloadKind | null {
  return KIND_ALIASES[word.toLowerCase()] ?? null;
}

/** `deployment/web` in `shop` is written `Deployment shop/web` in messages and `Deployment/shop/web` in tags. */
export function describeTarget(t: Target): string {
  return `${t.kind.toLowerCase()}/${t.name} in ${t.namespace}`;
}

export function targetKey(t: Target): string {
  return `${t.kind.toLowerCase()}/${t.namespace}/${t.name}`;
}
