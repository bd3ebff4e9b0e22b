// The settle judge on pods shaped as the kubelet reports them: restarts, OOM kills and back-offs after "ready".
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/domain/index.js';
import { settleBaseline, settleFailure } from '../../../src/workflow/settle-check.js';

interface ContainerShape {
  restartCount: number;
  state: Record<string, unknown>;
  lastState?: Record<string, unknown>;
}

function pod(
  name: string,
  c: ContainerShape,
  extra: { phase?: string; deleting?: boolean } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      labels: { app: 'checkout', 'pod-template-hash': '7c9d8f6b5' },
      ...(extra.deleting ? { deletionTimestamp: '2026-12-01T22:00:00Z' } : {}),
    },
    status: {
      phase: extra.phase ?? 'Running',
      containerStatuses: [
        {
          name: 'app',
          image: 'acme/checkout:2.3.1',
          ready: 'running' in c.state,
          started: 'running' in c.state,
          restartCount: c.restartCount,
          state: c.state,
          lastState: c.lastState ?? {},
        },
      ],
    },
  };
}

const running = { running: { startedAt: '2026-12-01T22:00:05Z' } };
const oomKilled = {
  terminated: {
    exitCode: 137,
    reason: 'OOMKilled',
    startedAt: '2026-12-01T22:00:05Z',
    finishedAt: '2026-12-01T22:00:12Z',
  },
};
const backOff = {
  waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' },
};

describe('settleFailure', () => {
  it('passes pods that keep running with the restart counts they had at completion', () => {
    const at = [pod('checkout-7c9d8f6b5-abcde', { restartCount: 0, state: running })];
    expect(settleFailure(settleBaseline(at), at)).toBeNull();
  });

  it('quotes an OOM kill after the rollout with the restart count going up', () => {
    const at = [pod('checkout-7c9d8f6b5-abcde', { restartCount: 0, state: running })];
    const later = [
      pod('checkout-7c9d8f6b5-abcde', { restartCount: 1, state: running, lastState: oomKilled }),
    ];
    expect(settleFailure(settleBaseline(at), later)).toBe(
      'container app OOMKilled after the rollout (restarts 0 → 1)',
    );
  });

  it('flags a container terminated OOMKilled before the kubelet restarted it', () => {
    const at = [pod('checkout-7c9d8f6b5-abcde', { restartCount: 0, state: running })];
    const later = [pod('checkout-7c9d8f6b5-abcde', { restartCount: 0, state: oomKilled })];
    expect(settleFailure(settleBaseline(at), later)).toBe(
      'container app OOMKilled after the rollout (restarts 0 → 0)',
    );
  });

  it('names the kill behind a back-off rather than the back-off', () => {
    const at = [pod('checkout-7c9d8f6b5-abcde', { restartCount: 2, state: running })];
    const later = [
      pod('checkout-7c9d8f6b5-abcde', { restartCount: 3, state: backOff, lastState: oomKilled }),
    ];
    expect(settleFailure(settleBaseline(at), later)).toBe(
      'container app OOMKilled after the rollout (restarts 2 → 3)',
    );
  });

  it('flags a replacement pod that came up failing', () => {
    const at = [pod('checkout-7c9d8f6b5-abcde', { restartCount: 0, state: running })];
    const later = [
      pod('checkout-7c9d8f6b5-abcde', { restartCount: 0, state: running }),
      pod('checkout-7c9d8f6b5-fghij', {
        restartCount: 0,
        state: { waiting: { reason: 'ImagePullBackOff' } },
      }),
    ];
    expect(settleFailure(settleBaseline(at), later)).toBe(
      'container app ImagePullBackOff after the rollout (restarts 0 → 0)',
    );
  });

  it('ignores terminating old pods and pods that had already finished at completion', () => {
    const old = pod('checkout-5f4e3d2c1-zzzzz', { restartCount: 4, state: oomKilled }, { deleting: true });
    const done = pod('checkout-7c9d8f6b5-done1', { restartCount: 0, state: oomKilled }, { phase: 'Failed' });
    const at = [old, done, pod('checkout-7c9d8f6b5-abcde', { restartCount: 0, state: running })];
    expect(settleFailure(settleBaseline(at), at)).toBeNull();
  });

  it('does not count a pod still creating its container as failed', () => {
    const creating = { waiting: { reason: 'ContainerCreating' } };
    const at = [pod('checkout-7c9d8f6b5-abcde', { restartCount: 0, state: creating })];
    expect(settleFailure(settleBaseline(at), at)).toBeNull();
  });
});
