// Judges the settle window after a rollout: the new pods must not restart or sit in a failure state.
import type { KubeObject } from '../domain/index.js';
import { asArray, asRecord, asString } from '../domain/json-access.js';

/** Waiting reasons that mean the container cannot run (kubelet's words), as opposed to ContainerCreating. */
const FAILING_WAITS: ReadonlySet<string> = new Set([
  'CrashLoopBackOff',
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** Restart counts per "pod/container" when the rollout completed; finished pods (Failed/Succeeded) are not judged. */
export interface SettleBaseline {
  restarts: ReadonlyMap<string, number>;
  finished: ReadonlySet<string>;
}

interface ContainerView {
  key: string;
  name: string;
  restarts: number;
  waiting: string | null;
  terminated: string | null;
  lastTerminated: string | null;
}

const live = (pods: readonly KubeObject[]): KubeObject[] =>
  pods.filter((p) => asRecord(p.metadata).deletionTimestamp === undefined);

function containersOf(pod: KubeObject): ContainerView[] {
  const podName = asString(asRecord(pod.metadata).name) ?? '?';
  const status = asRecord(pod.status);
  return [...asArray(status.initContainerStatuses), ...asArray(status.containerStatuses)].map((c) => {
    const cs = asRecord(c);
    const state = asRecord(cs.state);
    const name = asString(cs.name) ?? '?';
    return {
      key: `${podName}/${name}`,
      name,
      restarts: typeof cs.restartCount === 'number' ? cs.restartCount : 0,
      waiting: asString(asRecord(state.waiting).reason),
      terminated: asString(asRecord(state.terminated).reason),
      lastTerminated: asString(asRecord(asRecord(cs.lastState).terminated).reason),
    };
  });
}

const isFinished = (pod: KubeObject): boolean =>
  ['Failed', 'Succeeded'].includes(String(asRecord(pod.status).phase));
const podName = (pod: KubeObject): string => asString(asRecord(pod.metadata).name) ?? '?';

export function settleBaseline(pods: readonly KubeObject[]): SettleBaseline {
  const restarts = new Map<string, number>();
  for (const pod of live(pods)) for (const c of containersOf(pod)) restarts.set(c.key, c.restarts);
  return { restarts, finished: new Set(live(pods).filter(isFinished).map(podName)) };
}

/** Why the workload is not settled, in one sentence; null while every judged container is fine. */
export function settleFailure(baseline: SettleBaseline, pods: readonly KubeObject[]): string | null {
  for (const pod of live(pods)) {
    if (baseline.finished.has(podName(pod))) continue;
    for (const c of containersOf(pod)) {
      const before = baseline.restarts.get(c.key) ?? 0;
      const failed = c.terminated !== null && c.terminated !== 'Completed' ? c.terminated : null;
      const waiting = c.waiting !== null && FAILING_WAITS.has(c.waiting) ? c.waiting : null;
      if (c.restarts > before || failed || waiting) {
        // The terminated reason says why it restarted (OOMKilled, Error); a back-off only says it waits.
        const reason = failed ?? c.lastTerminated ?? waiting ?? 'restarted';
        return `container ${c.name} ${reason} after the rollout (restarts ${before} → ${c.restarts})`;
      }
    }
  }
  return null;
}
