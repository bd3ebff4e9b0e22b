// Namespace triage: every unhealthy workload with a one-line rule-engine diagnosis, from one list call per kind, no logs.
import type { PolicyConfig } from '../config/config.js';
import type { Category, EventSummary, Evidence, KubeObject, Target, WorkloadKind } from '../domain/index.js';
import type { Cluster } from '../k8s/cluster.js';
import { isHealthy, runAnalyzers } from './analyzers/registry.js';
import { diagnoseByRules } from './diagnose/rules/rules-engine.js';
import { asRecord } from '../domain/json-access.js';
import {
  arr,
  summarizeControllerRevisions,
  summarizeEvent,
  summarizePod,
  summarizeReplicaSets,
  summarizeWorkloadStatus,
} from './collect/summarize.js';

export interface TriageLists {
  deployments: KubeObject[];
  statefulsets: KubeObject[];
  daemonsets: KubeObject[];
  pods: KubeObject[];
  replicasets: KubeObject[];
  controllerrevisions: KubeObject[];
  events: KubeObject[];
}

export interface TriageItem {
  target: Target;
  category: Category;
  severity: 'critical' | 'warning';
  /** The rule engine's diagnosis in one line. */
  line: string;
  ready: string;
}

export interface TriageReport {
  namespace: string;
  workloads: number;
  unhealthy: TriageItem[];
  apiCalls: number;
}

const KINDS: Array<[keyof TriageLists, WorkloadKind]> = [
  ['deployments', 'Deployment'],
  ['statefulsets', 'StatefulSet'],
  ['daemonsets', 'DaemonSet'],
];

function selects(workload: KubeObject, pod: KubeObject): boolean {
  const wanted = Object.entries(asRecord(asRecord(asRecord(workload.spec).selector).matchLabels));
  const labels = asRecord(asRecord(pod.metadata).labels);
  return wanted.length > 0 && wanted.every(([k, v]) => labels[k] === v);
}

function ownedBy(workload: KubeObject, obj: KubeObject): boolean {
  const uid = asRecord(workload.metadata).uid;
  return arr(asRecord(obj.metadata).ownerReferences).some((o) => o.uid === uid);
}

/** The evidence a full investigation would start from, minus logs, references and cluster-wide views. */
function lightEvidence(
  kind: WorkloadKind,
  workload: KubeObject,
  lists: TriageLists,
  events: EventSummary[],
  namespace: string,
): Evidence {
  const name = String(asRecord(workload.metadata).name);
  const pods = lists.pods.filter((p) => selects(workload, p)).map(summarizePod);
  const revisions =
    kind === 'Deployment'
      ? summarizeReplicaSets(
          workload,
          lists.replicasets.filter((r) => ownedBy(workload, r)),
        )
      : summarizeControllerRevisions(workload, lists.controllerrevisions, pods);
  const involved = new Set([
    `${kind}/${name}`,
    ...revisions.map((r) => `ReplicaSet/${r.name}`),
    ...pods.map((p) => `Pod/${p.name}`),
  ]);
  return {
    target: { kind, name, namespace },
    collectedAt: new Date().toISOString(),
    workload,
    status: summarizeWorkloadStatus(workload),
    revisions,
    pods,
    events: events.filter((e) => involved.has(`${e.kind}/${e.name}`)),
    logs: [],
    references: [],
    services: [],
    dependencies: [],
    quotas: [],
    limitRanges: [],
    nodes: [],
    apiCalls: 0,
    gaps: ['triage reads no logs, references, quotas or nodes'],
  };
}

const ORDER = { critical: 0, warning: 1 } as const;
// One page per kind; a namespace beyond this many objects of a kind is triaged on the first page only.
const MAX_LIST = 5000;

/** Pure: the unhealthy workloads of the lists, most severe first, then most unavailable pods. */
export function triageFromLists(lists: TriageLists, namespace: string, policy: PolicyConfig): TriageItem[] {
  const items: Array<TriageItem & { missing: number }> = [];
  const events = lists.events.map(summarizeEvent);
  for (const [key, kind] of KINDS) {
    for (const workload of lists[key]) {
      const evidence = lightEvidence(kind, { ...workload, kind }, lists, events, namespace);
      const findings = runAnalyzers(evidence);
      if (isHealthy(evidence, findings)) continue;
      const d = diagnoseByRules({ evidence, findings, previousAttempts: [], policy });
      const s = evidence.status;
      const desired = Math.max(s.replicas, s.updatedReplicas, s.readyReplicas);
      items.push({
        target: evidence.target,
        category: d.category,
        severity: findings.some((f) => f.severity === 'critical') ? 'critical' : 'warning',
        line: d.rootCause.split(/(?<=\.)\s/)[0] ?? d.rootCause,
        ready: `${s.readyReplicas}/${desired}`,
        missing: desired - s.availableReplicas,
      });
    }
  }
  return items
    .sort(
      (a, b) =>
        ORDER[a.severity] - ORDER[b.severity] ||
        b.missing - a.missing ||
        a.target.name.localeCompare(b.target.name),
    )
    .map(({ missing: _missing, ...item }) => item);
}

/** Seven list calls for the whole namespace, whatever its size; no per-workload reads, no logs. */
export async function triageNamespace(
  cluster: Cluster,
  namespace: string,
  policy: PolicyConfig,
): Promise<TriageReport> {
  const start = cluster.apiCalls();
  const [deployments, statefulsets, daemonsets, pods, replicasets, controllerrevisions, events] =
    await Promise.all(
      (
        [
          'deployments',
          'statefulsets',
          'daemonsets',
          'pods',
          'replicasets',
          'controllerrevisions',
          'events',
        ] as const
      ).map((r) => cluster.list(r, namespace, { limit: MAX_LIST })),
    );
  const lists: TriageLists = {
    deployments: deployments!,
    statefulsets: statefulsets!,
    daemonsets: daemonsets!,
    pods: pods!,
    replicasets: replicasets!,
    controllerrevisions: controllerrevisions!,
    events: events!,
  };
  return {
    namespace,
    workloads: deployments!.length + statefulsets!.length + daemonsets!.length,
    unhealthy: triageFromLists(lists, namespace, policy),
    apiCalls: cluster.apiCalls() - start,
  };
}
