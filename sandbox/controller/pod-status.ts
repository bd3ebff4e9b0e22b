// Builds a pod's status the way the kubelet computes it: phase, conditions and container statuses.
import type { V1Pod } from '@kubernetes/client-node';

export interface WaitingState {
  waiting: { reason: string; message?: string };
}
export interface RunningState {
  running: { startedAt: string };
}
export interface TerminatedState {
  terminated: {
    exitCode: number;
    reason: string;
    message?: string;
    startedAt: string;
    finishedAt: string;
    containerID?: string;
  };
}
export type ContainerState = WaitingState | RunningState | TerminatedState;

export interface ContainerStatus {
  name: string;
  /** The image as written in the spec until it is pulled, then containerd's full reference. */
  image: string;
  imageID: string;
  containerID?: string;
  state: ContainerState;
  lastState: ContainerState | Record<string, never>;
  ready: boolean;
  started: boolean;
  restartCount: number;
}

export interface PodStatusInput {
  pod: V1Pod;
  initContainers: ContainerStatus[];
  containers: ContainerStatus[];
  /** The sandbox (network namespace) exists: volumes mounted, IP assigned. */
  sandboxReady: boolean;
  podIP: string;
  hostIP: string;
  startTime: string;
  now: string;
}

type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

const isTerminated = (s: ContainerState): s is TerminatedState => 'terminated' in s;
const isRunning = (s: ContainerState): s is RunningState => 'running' in s;

/** The kubelet's getPhase for regular containers (no sidecars). */
export function podPhase(pod: V1Pod, init: ContainerStatus[], main: ContainerStatus[]): Phase {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const initPending = init.some((c) => !(isTerminated(c.state) && c.state.terminated.exitCode === 0));
  const initFailed = init.some((c) => {
    const t = isTerminated(c.state)
      ? c.state.terminated
      : 'terminated' in c.lastState
        ? c.lastState.terminated
        : undefined;
    return t !== undefined && t.exitCode !== 0;
  });
  if (initFailed && policy === 'Never') return 'Failed';
  if (initPending) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of main) {
    if (isRunning(c.state)) running++;
    else if (isTerminated(c.state)) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if ('terminated' in c.lastState) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return policy === 'Never' || policy === 'OnFailure' ? 'Succeeded' : 'Running';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastTransitionTime: string;
  lastProbeTime: null;
  observedGeneration?: number;
}

/** The status subresource patch (strategic merge): PodScheduled, set by the scheduler, is left alone. */
export function buildPodStatus(input: PodStatusInput): Record<string, unknown> {
  const { pod, initContainers, containers, now } = input;
  const phase = podPhase(pod, initContainers, containers);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const generation = pod.metadata?.generation;
  const previous = new Map((pod.status?.conditions ?? []).map((c) => [c.type, c]));
  const condition = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const old = previous.get(type);
    const status = ok ? 'True' : 'False';
    const since =
      old?.status === status && old.lastTransitionTime ? new Date(old.lastTransitionTime).toISOString() : now;
    return {
      type,
      status,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
      lastProbeTime: null,
      lastTransitionTime: since,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
  };
  const incomplete = initContainers
    .filter((c) => !(isTerminated(c.state) && c.state.terminated.exitCode === 0))
    .map((c) => c.name);
  const unready = containers.filter((c) => !c.ready).map((c) => c.name);
  const terminalReason = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
  const initialized =
    incomplete.length === 0
      ? condition('Initialized', true, phase === 'Succeeded' ? 'PodCompleted' : undefined)
      : condition(
          'Initialized',
          false,
          'ContainersNotInitialized',
          `containers with incomplete status: [${incomplete.join(' ')}]`,
        );
  const ready = terminal
    ? [condition('Ready', false, terminalReason), condition('ContainersReady', false, terminalReason)]
    : unready.length === 0
      ? [condition('Ready', true), condition('ContainersReady', true)]
      : [
          condition(
            'Ready',
            false,
            'ContainersNotReady',
            `containers with unready status: [${unready.join(' ')}]`,
          ),
          condition(
            'ContainersReady',
            false,
            'ContainersNotReady',
            `containers with unready status: [${unready.join(' ')}]`,
          ),
        ];
  const ips = input.sandboxReady && input.podIP ? { podIP: input.podIP, podIPs: [{ ip: input.podIP }] } : {};
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    phase,
    conditions: [
      condition('PodReadyToStartContainers', input.sandboxReady && !terminal),
      initialized,
      ...ready,
    ],
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    ...ips,
    startTime: input.startTime,
    ...(initContainers.length > 0 ? { initContainerStatuses: initContainers.map(serialize) } : {}),
    containerStatuses: containers.map(serialize),
  };
}

function serialize(c: ContainerStatus): Record<string, unknown> {
  return {
    ...(c.containerID ? { containerID: c.containerID } : {}),
    image: c.image,
    imageID: c.imageID,
    lastState: c.lastState,
    name: c.name,
    ready: c.ready,
    restartCount: c.restartCount,
    started: c.started,
    state: c.state,
  };
}
