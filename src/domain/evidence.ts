// The read-only, redacted snapshot of a workload and its surroundings that every later step reads.
import { z } from 'zod';
import { Target } from './target.js';

/** A Kubernetes object as JSON (already redacted); typed access happens through the summaries below. */
export const KubeObject = z.record(z.string(), z.unknown());
export type KubeObject = z.infer<typeof KubeObject>;

export const Condition = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  lastTransitionTime: z.string().nullable(),
});
export type Condition = z.infer<typeof Condition>;

/** Mirrors core/v1 ContainerState: at most one of the three is set. */
export const ContainerState = z.object({
  waiting: z.object({ reason: z.string().nullable(), message: z.string().nullable() }).nullable(),
  running: z.object({ startedAt: z.string().nullable() }).nullable(),
  terminated: z
    .object({
      reason: z.string().nullable(),
      message: z.string().nullable(),
      exitCode: z.number().int(),
      finishedAt: z.string().nullable(),
    })
    .nullable(),
});
export type ContainerState = z.infer<typeof ContainerState>;

export const ContainerStatus = z.object({
  name: z.string(),
  image: z.string(),
  ready: z.boolean(),
  started: z.boolean().nullable(),
  restartCount: z.number().int(),
  state: ContainerState,
  lastState: ContainerState,
});
export type ContainerStatus = z.infer<typeof ContainerStatus>;

export const PodSummary = z.object({
  name: z.string(),
  phase: z.string(),
  nodeName: z.string().nullable(),
  /** The ReplicaSet (or StatefulSet revision) this pod belongs to. */
  owner: z.string().nullable(),
  podTemplateHash: z.string().nullable(),
  createdAt: z.string().nullable(),
  deleting: z.boolean(),
  conditions: z.array(Condition),
  initContainers: z.array(ContainerStatus),
  containers: z.array(ContainerStatus),
});
export type PodSummary = z.infer<typeof PodSummary>;

export const EventSummary = z.object({
  kind: z.string(),
  name: z.string(),
  type: z.string(),
  reason: z.string(),
  message: z.string(),
  count: z.number().int(),
  lastSeen: z.string().nullable(),
  source: z.string().nullable(),
});
export type EventSummary = z.infer<typeof EventSummary>;

export const RevisionSummary = z.object({
  /** ReplicaSet name (Deployment) or ControllerRevision name (StatefulSet). */
  name: z.string(),
  revision: z.number().int(),
  replicas: z.number().int(),
  readyReplicas: z.number().int(),
  availableReplicas: z.number().int(),
  createdAt: z.string().nullable(),
  /** The pod template of that revision, without the generated pod-template-hash label. */
  template: KubeObject,
  current: z.boolean(),
});
export type RevisionSummary = z.infer<typeof RevisionSummary>;

export const LogTail = z.object({
  pod: z.string(),
  container: z.string(),
  previous: z.boolean(),
  lines: z.array(z.string()),
  truncated: z.boolean(),
  error: z.string().nullable(),
});
export type LogTail = z.infer<typeof LogTail>;

export const ReferenceCheck = z.object({
  kind: z.enum(['ConfigMap', 'Secret', 'PersistentVolumeClaim']),
  name: z.string(),
  /** The key looked up inside the object, when the reference names one. */
  key: z.string().nullable(),
  optional: z.boolean(),
  exists: z.boolean(),
  keyExists: z.boolean().nullable(),
  /** Where the reference sits, e.g. `container app env LOG_LEVEL` or `volume config`. */
  usedBy: z.string(),
  /** PersistentVolumeClaims only: `status.phase` (Pending, Bound, Lost) and `spec.storageClassName`. */
  claimPhase: z.string().nullable().optional(),
  storageClass: z.string().nullable().optional(),
});
export type ReferenceCheck = z.infer<typeof ReferenceCheck>;

export const ServiceSummary = z.object({
  name: z.string(),
  selector: z.record(z.string(), z.string()),
  ports: z.array(z.object({ port: z.number().int(), targetPort: z.union([z.number().int(), z.string()]) })),
  readyEndpoints: z.number().int(),
  notReadyEndpoints: z.number().int(),
});
export type ServiceSummary = z.infer<typeof ServiceSummary>;

/** A host a crashing container's logs say it cannot reach, matched to a Service of the namespace. */
export const DependencyCheck = z.object({
  /** As the log line wrote it, e.g. `db:5432` or `payments.shop.svc.cluster.local`. */
  endpoint: z.string(),
  service: z.string(),
  namespace: z.string(),
  /** null when the Service is in another namespace (not looked up: the collector reads one namespace). */
  exists: z.boolean().nullable(),
  readyEndpoints: z.number().int().nullable(),
  notReadyEndpoints: z.number().int().nullable(),
});
export type DependencyCheck = z.infer<typeof DependencyCheck>;

export const QuotaSummary = z.object({
  name: z.string(),
  hard: z.record(z.string(), z.string()),
  used: z.record(z.string(), z.string()),
});
export type QuotaSummary = z.infer<typeof QuotaSummary>;

export const LimitRangeSummary = z.object({ name: z.string(), limits: z.array(KubeObject) });
export type LimitRangeSummary = z.infer<typeof LimitRangeSummary>;

export const NodeSummary = z.object({
  name: z.string(),
  allocatable: z.record(z.string(), z.string()),
  labels: z.record(z.string(), z.string()),
  taints: z.array(z.object({ key: z.string(), value: z.string().nullable(), effect: z.string() })),
  unschedulable: z.boolean(),
  ready: z.boolean(),
});
export type NodeSummary = z.infer<typeof NodeSummary>;

export const WorkloadStatus = z.object({
  generation: z.number().int(),
  observedGeneration: z.number().int(),
  replicas: z.number().int(),
  readyReplicas: z.number().int(),
  updatedReplicas: z.number().int(),
  availableReplicas: z.number().int(),
  unavailableReplicas: z.number().int(),
  conditions: z.array(Condition),
});
export type WorkloadStatus = z.infer<typeof WorkloadStatus>;

export const Evidence = z.object({
  target: Target,
  collectedAt: z.string(),
  /** The live object as the API returned it (managedFields dropped, values redacted). */
  workload: KubeObject,
  status: WorkloadStatus,
  revisions: z.array(RevisionSummary),
  pods: z.array(PodSummary),
  events: z.array(EventSummary),
  logs: z.array(LogTail),
  references: z.array(ReferenceCheck),
  services: z.array(ServiceSummary),
  /** Services named by crash logs ("connection refused", "no such host"), with their endpoints. */
  dependencies: z.array(DependencyCheck),
  quotas: z.array(QuotaSummary),
  limitRanges: z.array(LimitRangeSummary),
  nodes: z.array(NodeSummary),
  /** How many Kubernetes API calls collecting this took (bounded by the collector's budget). */
  apiCalls: z.number().int(),
  /** What could not be read (RBAC, timeouts), so nothing pretends to have been seen. */
  gaps: z.array(z.string()),
});
export type Evidence = z.infer<typeof Evidence>;
