// Pure conversions from Kubernetes objects (as the API returns them) to the Evidence summaries.
import type {
  Condition,
  ContainerState,
  ContainerStatus,
  EventSummary,
  KubeObject,
  NodeSummary,
  PodSummary,
  QuotaSummary,
  RevisionSummary,
  WorkloadStatus,
} from '../../domain/index.js';

import { asArray, asRecord as rec, asString as str, type JsonRecord } from '../../domain/json-access.js';

/** Each element as a record (non-records read as empty): lists of containers, conditions, events. */
export const arr = (v: unknown): JsonRecord[] => asArray(v).map(rec);
const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
const strMap = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(rec(v)).map(([k, x]) => [k, String(x)]));

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export function summarizeConditions(v: unknown): Condition[] {
  return arr(v).map((c) => ({
    type: String(c.type ?? ''),
    status: String(c.status ?? 'Unknown'),
    reason: str(c.reason),
    message: str(c.message),
    lastTransitionTime: str(c.lastTransitionTime),
  }));
}

function summarizeState(v: unknown): ContainerState {
  const s = rec(v);
  const w = s.waiting === undefined ? null : rec(s.waiting);
  const r = s.running === undefined ? null : rec(s.running);
  const t = s.terminated === undefined ? null : rec(s.terminated);
  return {
    waiting: w && { reason: str(w.reason), message: str(w.message) },
    running: r && { startedAt: str(r.startedAt) },
    terminated: t && {
      reason: str(t.reason),
      message: str(t.message),
      exitCode: int(t.exitCode),
      finishedAt: str(t.finishedAt),
    },
  };
}

function summarizeContainer(name: string, s: Record<string, unknown>, specImage: unknown): ContainerStatus {
  return {
    name,
    image: String(s.image ?? specImage ?? ''),
    ready: s.ready === true,
    started: typeof s.started === 'boolean' ? s.started : null,
    restartCount: int(s.restartCount),
    state: summarizeState(s.state),
    lastState: summarizeState(s.lastState),
  };
}

function summarizeContainers(statuses: unknown, specs: unknown): ContainerStatus[] {
  const byName = new Map(arr(statuses).map((s) => [String(s.name), s]));
  const specList = arr(specs);
  const declared = new Set(specList.map((c) => String(c.name)));
  // Containers without a status yet (pending pods) still appear, so analyzers see every container;
  // a status without a spec entry is kept too rather than silently dropped.
  return [
    ...specList.map((spec) =>
      summarizeContainer(String(spec.name), byName.get(String(spec.name)) ?? {}, spec.image),
    ),
    ...[...byName]
      .filter(([name]) => !declared.has(name))
      .map(([name, s]) => summarizeContainer(name, s, undefined)),
  ];
}

export function summarizePod(pod: KubeObject): PodSummary {
  const meta = rec(pod.metadata);
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const owner = arr(meta.ownerReferences).find((o) => o.controller === true);
  const labels = strMap(meta.labels);
  return {
    name: String(meta.name),
    phase: String(status.phase ?? 'Unknown'),
    nodeName: str(spec.nodeName),
    owner: owner ? String(owner.name) : null,
    podTemplateHash: labels['pod-template-hash'] ?? labels['controller-revision-hash'] ?? null,
    createdAt: str(meta.creationTimestamp),
    deleting: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
    conditions: summarizeConditions(status.conditions),
    initContainers: summarizeContainers(status.initContainerStatuses, spec.initContainers),
    containers: summarizeContainers(status.containerStatuses, spec.containers),
  };
}

export function summarizeEvent(ev: KubeObject): EventSummary {
  const involved = rec(ev.involvedObject);
  const source = rec(ev.source);
  return {
    kind: String(involved.kind ?? ''),
    name: String(involved.name ?? ''),
    type: String(ev.type ?? 'Normal'),
    reason: String(ev.reason ?? ''),
    message: String(ev.message ?? ''),
    count: Math.max(1, int(ev.count) || int(rec(ev.series).count)),
    lastSeen: str(ev.lastTimestamp) ?? str(ev.eventTime) ?? str(rec(ev.metadata).creationTimestamp),
    source: str(source.component) ?? str(ev.reportingComponent),
  };
}

/** A DaemonSet counts scheduled pods, not replicas: map its fields onto the replica view. */
function daemonSetStatus(obj: KubeObject): WorkloadStatus {
  const s = rec(obj.status);
  return {
    generation: int(rec(obj.metadata).generation),
    observedGeneration: int(s.observedGeneration),
    replicas: int(s.currentNumberScheduled),
    readyReplicas: int(s.numberReady),
    updatedReplicas: int(s.updatedNumberScheduled),
    availableReplicas: int(s.numberAvailable),
    unavailableReplicas: int(s.numberUnavailable),
    conditions: summarizeConditions(s.conditions),
  };
}

export function summarizeWorkloadStatus(obj: KubeObject): WorkloadStatus {
  if (obj.kind === 'DaemonSet') return daemonSetStatus(obj);
  const meta = rec(obj.metadata);
  const s = rec(obj.status);
  return {
    generation: int(meta.generation),
    observedGeneration: int(s.observedGeneration),
    // As the controller reports them (old and new pods); the desired count is spec.replicas.
    replicas: int(s.replicas),
    readyReplicas: int(s.readyReplicas),
    updatedReplicas: int(s.updatedReplicas),
    availableReplicas:
      obj.kind === 'StatefulSet' ? int(s.availableReplicas ?? s.readyReplicas) : int(s.availableReplicas),
    unavailableReplicas: int(s.unavailableReplicas),
    conditions: summarizeConditions(s.conditions),
  };
}

/** A pod template without the labels the controllers add, so templates of revisions compare equal. */
export function stripGeneratedLabels(template: unknown): KubeObject {
  const t = structuredClone(rec(template));
  const meta = rec(t.metadata);
  const labels = { ...strMap(meta.labels) };
  delete labels['pod-template-hash'];
  delete labels['controller-revision-hash'];
  t.metadata = { ...meta, labels };
  // A DaemonSet's ControllerRevision stores its template as a patch marked `$patch: replace`.
  delete t.$patch;
  delete rec(t.metadata).creationTimestamp;
  return t;
}

export function summarizeReplicaSets(workload: KubeObject, replicaSets: KubeObject[]): RevisionSummary[] {
  const uid = rec(workload.metadata).uid;
  const current = strMap(rec(workload.metadata).annotations)[REVISION_ANNOTATION];
  return replicaSets
    .filter((rs) => arr(rec(rs.metadata).ownerReferences).some((o) => o.uid === uid))
    .map((rs) => {
      const meta = rec(rs.metadata);
      const revision = strMap(meta.annotations)[REVISION_ANNOTATION] ?? '0';
      const status = rec(rs.status);
      return {
        name: String(meta.name),
        revision: Number.parseInt(revision, 10) || 0,
        replicas: int(rec(rs.spec).replicas),
        readyReplicas: int(status.readyReplicas),
        availableReplicas: int(status.availableReplicas),
        createdAt: str(meta.creationTimestamp),
        template: stripGeneratedLabels(rec(rs.spec).template),
        current: revision === current,
      };
    })
    .sort((a, b) => b.revision - a.revision);
}

export function summarizeControllerRevisions(
  workload: KubeObject,
  revisions: KubeObject[],
  pods: PodSummary[],
): RevisionSummary[] {
  const uid = rec(workload.metadata).uid;
  const owned = revisions.filter((cr) => arr(rec(cr.metadata).ownerReferences).some((o) => o.uid === uid));
  // A StatefulSet names its update revision; a DaemonSet's current revision is its highest one.
  const newest = owned.reduce((max, cr) => Math.max(max, int(cr.revision)), 0);
  const updateRevision =
    str(rec(workload.status).updateRevision) ??
    (workload.kind === 'DaemonSet'
      ? str(rec(owned.find((cr) => int(cr.revision) === newest)?.metadata).name)
      : null);
  return owned
    .map((cr) => {
      const name = String(rec(cr.metadata).name);
      const hash = name.slice(name.lastIndexOf('-') + 1);
      const mine = pods.filter((p) => p.podTemplateHash === name || p.podTemplateHash === hash);
      const ready = mine.filter((p) =>
        p.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
      return {
        name,
        revision: int(cr.revision),
        replicas: mine.length,
        readyReplicas: ready,
        availableReplicas: ready,
        createdAt: str(rec(cr.metadata).creationTimestamp),
        template: stripGeneratedLabels(rec(rec(cr.data).spec).template),
        current: name === updateRevision,
      };
    })
    .sort((a, b) => b.revision - a.revision);
}

export function summarizeNode(node: KubeObject): NodeSummary {
  const meta = rec(node.metadata);
  const spec = rec(node.spec);
  const status = rec(node.status);
  return {
    name: String(meta.name),
    allocatable: strMap(status.allocatable),
    labels: strMap(meta.labels),
    taints: arr(spec.taints).map((t) => ({
      key: String(t.key),
      value: str(t.value),
      effect: String(t.effect),
    })),
    unschedulable: spec.unschedulable === true,
    ready: arr(status.conditions).some((c) => c.type === 'Ready' && c.status === 'True'),
  };
}

export function summarizeQuota(q: KubeObject): QuotaSummary {
  const status = rec(q.status);
  return {
    name: String(rec(q.metadata).name),
    hard: strMap(status.hard ?? rec(q.spec).hard),
    used: strMap(status.used),
  };
}
