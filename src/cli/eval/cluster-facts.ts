// The eval's judge: reads plain cluster facts (workload status, pod and container states, events) and
// decides "symptom present" and "healed" by itself, never through the agent's analyzers or verdict.
import type { KubeObject, Target } from '../../domain/index.js';
import type { Cluster } from '../../k8s/cluster.js';
import { asArray as arr, asNumber, asRecord as rec, asString as str } from '../../domain/json-access.js';
import type { Symptom } from './eval-case.js';

export interface ContainerFacts {
  name: string;
  init: boolean;
  waiting: string | null;
  lastTerminated: string | null;
  restarts: number;
}

export interface PodFacts {
  name: string;
  phase: string;
  ready: boolean;
  unschedulable: boolean;
  containers: ContainerFacts[];
}

export interface ClusterFacts {
  workload: {
    exists: boolean;
    desired: number;
    generation: number;
    observedGeneration: number;
    replicas: number;
    updated: number;
    ready: number;
    available: number;
    conditions: Array<{ type: string; status: string; reason: string }>;
  };
  /** The workload's pods that are not being deleted. */
  pods: PodFacts[];
  events: Array<{ reason: string; message: string }>;
}

// Plain JSON narrowing only: no analyzer or verdict of the agent is used here.
const num = (v: unknown): number => asNumber(v) ?? 0;

function containerFacts(status: unknown, init: boolean): ContainerFacts {
  const s = rec(status);
  const state = rec(s.state);
  const last = rec(s.lastState);
  return {
    name: str(s.name) ?? '',
    init,
    waiting: str(rec(state.waiting).reason),
    lastTerminated: str(rec(last.terminated).reason) ?? str(rec(state.terminated).reason),
    restarts: num(s.restartCount),
  };
}

export function podFacts(pod: KubeObject): PodFacts {
  const status = rec(pod.status);
  const conditions = arr(status.conditions).map(rec);
  const cond = (type: string) => conditions.find((c) => c.type === type);
  return {
    name: str(rec(pod.metadata).name) ?? '',
    phase: str(status.phase) ?? 'Unknown',
    ready: cond('Ready')?.status === 'True',
    unschedulable:
      cond('PodScheduled')?.status === 'False' && cond('PodScheduled')?.reason === 'Unschedulable',
    containers: [
      ...arr(status.initContainerStatuses).map((c) => containerFacts(c, true)),
      ...arr(status.containerStatuses).map((c) => containerFacts(c, false)),
    ],
  };
}

function workloadFacts(w: KubeObject | null): ClusterFacts['workload'] {
  const spec = rec(w?.spec);
  const status = rec(w?.status);
  return {
    exists: w !== null,
    desired: typeof spec.replicas === 'number' ? spec.replicas : 1,
    generation: num(rec(w?.metadata).generation),
    observedGeneration: num(status.observedGeneration),
    replicas: num(status.replicas),
    updated: num(status.updatedReplicas),
    ready: num(status.readyReplicas),
    available: num(status.availableReplicas),
    conditions: arr(status.conditions)
      .map(rec)
      .map((c) => ({ type: str(c.type) ?? '', status: str(c.status) ?? '', reason: str(c.reason) ?? '' })),
  };
}

/** One read of the facts: the workload, its pods (by its selector) and the namespace's events. */
export async function readFacts(cluster: Cluster, target: Target): Promise<ClusterFacts> {
  const w = await cluster.getWorkload(target);
  const labels = rec(rec(rec(w?.spec).selector).matchLabels);
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
  const pods = w && selector ? await cluster.list('pods', target.namespace, { labelSelector: selector }) : [];
  const events = await cluster.list('events', target.namespace);
  return {
    workload: workloadFacts(w),
    pods: pods.filter((p) => !rec(p.metadata).deletionTimestamp).map(podFacts),
    events: events.map((e) => ({ reason: str(e.reason) ?? '', message: str(e.message) ?? '' })),
  };
}

/** Which stated facts do not hold yet (empty = the symptom is present). */
export function missingSymptoms(symptom: Symptom, facts: ClusterFacts): string[] {
  const containers = facts.pods.flatMap((p) => p.containers);
  const missing: string[] = [];
  const { waiting, terminated, restarts, event } = symptom;
  if (waiting && !containers.some((c) => c.waiting !== null && waiting.includes(c.waiting)))
    missing.push(`a container waiting with ${waiting.join(' or ')}`);
  if (terminated && !containers.some((c) => c.lastTerminated === terminated))
    missing.push(`a container terminated ${terminated}`);
  if (restarts && !containers.some((c) => c.restarts >= restarts))
    missing.push(`a container restarted ${restarts} times`);
  if (symptom.unschedulable && !facts.pods.some((p) => p.unschedulable)) missing.push('an unschedulable pod');
  if (symptom.notReady && !facts.pods.some((p) => p.phase === 'Running' && !p.ready))
    missing.push('a running pod that is not ready');
  const { condition } = symptom;
  if (
    condition &&
    !facts.workload.conditions.some(
      (c) =>
        c.type === condition.type &&
        c.reason === condition.reason &&
        (condition.status === undefined || c.status === condition.status),
    )
  )
    missing.push(
      `condition ${condition.type}${condition.status ? `=${condition.status}` : ''} ${condition.reason}`,
    );
  if (event && !facts.events.some((e) => e.reason === event.reason && e.message.includes(event.message)))
    missing.push(`an event ${event.reason}${event.message ? ` mentioning "${event.message}"` : ''}`);
  return missing;
}

/** Why the workload is not healthy right now (empty = rolled out, every pod ready, nothing waiting). */
export function unhealthyReasons(facts: ClusterFacts): string[] {
  const w = facts.workload;
  if (!w.exists) return ['the workload does not exist'];
  const why: string[] = [];
  if (w.observedGeneration < w.generation) why.push('the controller has not observed the latest spec');
  if (w.updated < w.desired || w.ready < w.desired || w.available < w.desired)
    why.push(`${w.available}/${w.desired} available, ${w.updated} updated, ${w.ready} ready`);
  if (w.replicas > w.desired) why.push(`${w.replicas - w.desired} old replica(s) remain`);
  const notReady = facts.pods.filter((p) => !p.ready);
  if (notReady.length > 0) why.push(`pods not ready: ${notReady.map((p) => p.name).join(', ')}`);
  const waiting = facts.pods.flatMap((p) => p.containers.filter((c) => c.waiting !== null && !c.init));
  if (waiting.length > 0) why.push(`waiting: ${waiting.map((c) => `${c.name} ${c.waiting}`).join(', ')}`);
  return why;
}

/** Restart counts by pod/container, to compare across the settle window. */
export function restartCounts(facts: ClusterFacts): Map<string, number> {
  return new Map(facts.pods.flatMap((p) => p.containers.map((c) => [`${p.name}/${c.name}`, c.restarts])));
}

/** Healed when healthy at both ends of the settle window with the same pods and no new restarts. */
export function healedAcross(before: ClusterFacts, after: ClusterFacts): string[] {
  const why = unhealthyReasons(after);
  if (why.length > 0) return why;
  const a = restartCounts(before);
  const b = restartCounts(after);
  const moved = [...b].filter(([k, n]) => a.get(k) !== n).map(([k]) => k);
  return moved.length > 0 ? [`restarted during the settle window: ${moved.join(', ')}`] : [];
}
