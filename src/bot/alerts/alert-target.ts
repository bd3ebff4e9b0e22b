// An alert's labels → the workload to investigate, as the kube-prometheus (kubernetes-mixin) rules label them.
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, type TargetRef } from '../../domain/index.js';

/**
 * Label → kind, most specific first. kube-state-metrics puts `deployment`, `statefulset`, `daemonset`,
 * `replicaset` on the workload series (KubeDeployment*, KubeStatefulSet*, KubeDaemonSet*) and `pod` (+ `container`)
 * on the pod series (KubePodCrashLooping, KubePodNotReady, KubeContainerWaiting, CPUThrottlingHigh). Pods and
 * ReplicaSets go to the worker, which resolves them to their owner as for `/autofix pod/…`.
 */
const KIND_LABELS = [
  ['deployment', 'Deployment'],
  ['statefulset', 'StatefulSet'],
  ['daemonset', 'DaemonSet'],
  ['replicaset', 'ReplicaSet'],
  ['pod', 'Pod'],
] as const satisfies ReadonlyArray<readonly [string, TargetRef['kind']]>;

/** kubernetes-mixin's workload recording rules (`namespace_workload_pod:kube_pod_owner:relabel`) say it this way. */
const WORKLOAD_TYPES: Record<string, TargetRef['kind']> = {
  deployment: 'Deployment',
  statefulset: 'StatefulSet',
  daemonset: 'DaemonSet',
  replicaset: 'ReplicaSet',
};

export const WORKLOAD_LABELS = KIND_LABELS.map(([label]) => label);

export type AlertTarget =
  | { kind: 'target'; ref: TargetRef }
  /** Why no workload could be read: plain text naming the labels (shown as plain text, never as mrkdwn). */
  | { kind: 'unresolvable'; why: string };

const listed = (names: readonly string[], last: string): string =>
  names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} ${last} ${names[names.length - 1]}`;

function isName(v: string): boolean {
  return v.length <= 253 && DNS1123_SUBDOMAIN.test(v);
}

export function alertTarget(labels: Readonly<Record<string, string>>): AlertTarget {
  const has = (k: string): boolean => Object.hasOwn(labels, k) && labels[k] !== '';
  const namespace = has('namespace') ? labels.namespace! : null;
  let found: { kind: TargetRef['kind']; name: string; label: string } | null = null;
  for (const [label, kind] of KIND_LABELS) {
    if (has(label)) {
      found = { kind, name: labels[label]!, label };
      break;
    }
  }
  const wt = has('workload_type') ? WORKLOAD_TYPES[labels.workload_type!.toLowerCase()] : undefined;
  if (!found && wt && has('workload')) found = { kind: wt, name: labels.workload!, label: 'workload' };
  if (!namespace || !found) {
    const present = Object.keys(labels).filter(has).sort();
    const missing = [...(namespace ? [] : ['namespace']), ...(found ? [] : [listed(WORKLOAD_LABELS, 'or')])];
    const hint = has('job_name')
      ? ' (Jobs are not investigated: kube-autofix fixes Deployments, StatefulSets and DaemonSets)'
      : '';
    const more = present.length > 30 ? ', …' : '';
    return {
      kind: 'unresolvable',
      why: `it has no ${missing.join(' label and no ')} label${hint}; its labels: ${present
        .slice(0, 30)
        .map((k) => k.slice(0, 100))
        .join(', ')}${more}`,
    };
  }
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace))
    return { kind: 'unresolvable', why: 'its namespace label is not a namespace name' };
  if (!isName(found.name))
    return { kind: 'unresolvable', why: `its ${found.label} label is not a Kubernetes object name` };
  return { kind: 'target', ref: { kind: found.kind, name: found.name, namespace } };
}

/** The alphabet of pod-template-hash and generated name suffixes (k8s.io/apimachinery rand.SafeEncodeString). */
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{1,10}-${SAFE}{5}$`);
const REPLICASET = new RegExp(`^(.+)-${SAFE}{1,10}$`);
const GENERATED_POD = new RegExp(`^(.+)-${SAFE}{5}$`);
const ORDINAL_POD = /^(.+)-\d+$/;

/**
 * The workload name a pod or ReplicaSet most likely belongs to, read from its generated name (the bot cannot
 * ask the cluster): `web-7d4b9c8f6-x2k9p` → `web`, `db-0` → `db`. Only groups alerts into one thread; the
 * worker still resolves the real owner.
 */
export function workloadStem(ref: TargetRef): string {
  if (ref.kind === 'ReplicaSet') return REPLICASET.exec(ref.name)?.[1] ?? ref.name;
  if (ref.kind !== 'Pod') return ref.name;
  for (const re of [DEPLOYMENT_POD, ORDINAL_POD, GENERATED_POD]) {
    const m = re.exec(ref.name);
    if (m) return m[1]!;
  }
  return ref.name;
}
