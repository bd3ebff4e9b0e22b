// Whether a Deployment/StatefulSet/DaemonSet rollout is complete, still progressing or failed — kubectl's rules.
import type { KubeObject } from '../domain/index.js';
import { asRecord as rec } from '../domain/json-access.js';

export interface RolloutStatus {
  done: boolean;
  /** True when the controller has given up (ProgressDeadlineExceeded). */
  failed: boolean;
  message: string;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

function deploymentStatus(obj: KubeObject, generation: number): RolloutStatus {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const conditions = Array.isArray(status.conditions) ? status.conditions.map(rec) : [];
  const progressing = conditions.find((c) => c.type === 'Progressing');
  if (num(status.observedGeneration) < generation)
    return { done: false, failed: false, message: 'waiting for the controller to observe the change' };
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      done: false,
      failed: true,
      message: `rollout exceeded its progress deadline: ${String(progressing.message ?? '')}`,
    };
  }
  const updated = num(status.updatedReplicas);
  const total = num(status.replicas);
  const available = num(status.availableReplicas);
  if (updated < desired)
    return { done: false, failed: false, message: `${updated} of ${desired} updated replicas are available` };
  if (total > updated)
    return { done: false, failed: false, message: `${total - updated} old replicas are pending termination` };
  if (available < updated)
    return {
      done: false,
      failed: false,
      message: `${available} of ${updated} updated replicas are available`,
    };
  return { done: true, failed: false, message: `${available} of ${desired} replicas available` };
}

function statefulSetStatus(obj: KubeObject, generation: number): RolloutStatus {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
  if (num(status.observedGeneration) < generation)
    return { done: false, failed: false, message: 'waiting for the controller to observe the change' };
  const ready = num(status.readyReplicas);
  const updated = num(status.updatedReplicas);
  if (updated < desired)
    return { done: false, failed: false, message: `${updated} of ${desired} pods updated` };
  if (ready < desired) return { done: false, failed: false, message: `${ready} of ${desired} pods ready` };
  if (status.updateRevision && status.currentRevision !== status.updateRevision) {
    return { done: false, failed: false, message: 'waiting for the update revision to become current' };
  }
  return { done: true, failed: false, message: `${ready} of ${desired} pods ready` };
}

/** kubectl's DaemonSet rule: every node that should run a pod runs an updated, available one. */
function daemonSetStatus(obj: KubeObject, generation: number): RolloutStatus {
  const status = rec(obj.status);
  if (num(status.observedGeneration) < generation)
    return { done: false, failed: false, message: 'waiting for the controller to observe the change' };
  const desired = num(status.desiredNumberScheduled);
  const updated = num(status.updatedNumberScheduled);
  const available = num(status.numberAvailable);
  if (updated < desired)
    return { done: false, failed: false, message: `${updated} of ${desired} updated pods are scheduled` };
  if (available < desired)
    return { done: false, failed: false, message: `${available} of ${desired} updated pods are available` };
  return { done: true, failed: false, message: `${available} of ${desired} pods available` };
}

/** Rollout state of `obj` with respect to the generation our change produced. */
export function rolloutStatus(obj: KubeObject, generation: number): RolloutStatus {
  if (obj.kind === 'DaemonSet') return daemonSetStatus(obj, generation);
  return obj.kind === 'StatefulSet' ? statefulSetStatus(obj, generation) : deploymentStatus(obj, generation);
}
