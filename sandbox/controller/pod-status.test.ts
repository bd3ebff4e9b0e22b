// buildPodStatus: the kubelet's phase and conditions for each container situation.
import { describe, expect, it } from 'vitest';
import { buildPodStatus, podPhase, type ContainerStatus } from './pod-status.js';
import { container, scheduledPod } from './pod-fixture.js';

const base: ContainerStatus = {
  name: 'app',
  image: 'nginx:1.99',
  imageID: '',
  lastState: {},
  ready: false,
  started: false,
  restartCount: 0,
  state: { waiting: { reason: 'ContainerCreating' } },
};
const at = '2026-11-28T03:00:05.000Z';
const terminated = (exitCode: number, reason = exitCode === 0 ? 'Completed' : 'Error') => ({
  terminated: { exitCode, reason, startedAt: at, finishedAt: at },
});
const build = (statuses: ContainerStatus[], restartPolicy = 'Always', sandboxReady = true) =>
  buildPodStatus({
    pod: scheduledPod([container({ image: 'nginx:1.27' })], { restartPolicy }),
    initContainers: [],
    containers: statuses,
    sandboxReady,
    podIP: '10.244.1.7',
    hostIP: '10.0.0.156',
    startTime: at,
    now: at,
  });

describe('podPhase and conditions', () => {
  it('keeps a pod that never started a container Pending, not ready', () => {
    const status = build([
      {
        ...base,
        state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx:1.99"' } },
      },
    ]);
    expect(status).toMatchObject({ phase: 'Pending', podIP: '10.244.1.7', hostIP: '10.0.0.156' });
    expect(status.conditions).toEqual([
      expect.objectContaining({ type: 'PodReadyToStartContainers', status: 'True' }),
      expect.objectContaining({ type: 'Initialized', status: 'True' }),
      expect.objectContaining({
        type: 'Ready',
        status: 'False',
        reason: 'ContainersNotReady',
        message: 'containers with unready status: [app]',
      }),
      expect.objectContaining({ type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady' }),
    ]);
  });

  it('has no pod IP and no sandbox while volumes do not mount', () => {
    const status = build([base], 'Always', false);
    expect(status).not.toHaveProperty('podIP');
    expect(status.conditions).toContainEqual(
      expect.objectContaining({ type: 'PodReadyToStartContainers', status: 'False' }),
    );
  });

  it('is Running in a crash loop once a container has run (lastState), whatever the exit code', () => {
    const looping = {
      ...base,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s …' } },
      lastState: terminated(137, 'OOMKilled'),
      restartCount: 1,
    };
    expect(build([looping]).phase).toBe('Running');
    expect(build([{ ...base, state: terminated(0) }]).phase).toBe('Running');
  });

  it('ends Succeeded or Failed under restartPolicy Never, with PodCompleted/PodFailed readiness', () => {
    const pod = scheduledPod([container({ image: 'busybox:1.36' })], { restartPolicy: 'Never' });
    expect(podPhase(pod, [], [{ ...base, state: terminated(0) }])).toBe('Succeeded');
    expect(podPhase(pod, [], [{ ...base, state: terminated(2) }])).toBe('Failed');
    const done = build([{ ...base, state: terminated(0) }], 'Never');
    expect(done.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'PodCompleted' }),
    );
  });

  it('is Ready when every container is ready, keeping transition times that did not change', () => {
    const running = { ...base, ready: true, started: true, state: { running: { startedAt: at } } };
    const status = build([running]);
    expect(status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'True', lastTransitionTime: at }),
    );
    expect(status.containerStatuses).toEqual([
      expect.objectContaining({ name: 'app', ready: true, state: { running: { startedAt: at } } }),
    ]);
  });
});
