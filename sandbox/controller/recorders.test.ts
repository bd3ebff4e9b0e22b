// The event recorder aggregates repeats like the kubelet's; the log writer rotates files and registers them with KWOK.
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createEventRecorder } from './event-recorder.js';
import { createLogWriter } from './log-writer.js';
import { createLogger } from './logger.js';

const pod = {
  name: 'web-7d4b9c8f6d-x7k2p',
  namespace: 'shop',
  uid: '3f1c9a52-6b1e-4d8e-9a51-2f0d2b8c7e41',
  nodeName: 'sandbox-node-a',
};
const quiet = createLogger(() => undefined);

describe('createEventRecorder', () => {
  it('creates a kubelet event once, then increments count and lastTimestamp for the same message', async () => {
    const calls: { op: string; body: Record<string, unknown> }[] = [];
    const core = {
      createNamespacedEvent: async (p: { body: Record<string, unknown> }) =>
        void calls.push({ op: 'create', body: p.body }),
      patchNamespacedEvent: async (p: { name: string; body: Record<string, unknown> }) =>
        void calls.push({ op: `patch ${p.name}`, body: p.body }),
    } as unknown as CoreV1Api;
    const events = createEventRecorder(core, quiet);
    const failed = {
      type: 'Warning' as const,
      reason: 'Failed',
      message: 'Error: ErrImagePull',
      fieldPath: 'spec.containers{app}',
    };
    events.record(pod, failed);
    events.record(pod, failed);
    events.record(pod, { ...failed, message: 'Error: ImagePullBackOff' });
    await events.flush();
    const created = calls.filter((c) => c.op === 'create');
    expect(created).toHaveLength(2);
    expect(created[0]!.body).toMatchObject({
      involvedObject: {
        kind: 'Pod',
        name: pod.name,
        namespace: 'shop',
        uid: pod.uid,
        fieldPath: 'spec.containers{app}',
      },
      source: { component: 'kubelet', host: 'sandbox-node-a' },
      reportingComponent: 'kubelet',
      count: 1,
    });
    const name = (created[0]!.body.metadata as { name: string }).name;
    expect(name).toMatch(/^web-7d4b9c8f6d-x7k2p\.[0-9a-f]+$/);
    expect(calls).toContainEqual({
      op: `patch ${name}`,
      body: { count: 2, lastTimestamp: expect.any(String) },
    });
  });
});

describe('createLogWriter', () => {
  it('rotates current to previous and points the Logs object at both', async () => {
    const state = mkdtempSync(join(tmpdir(), 'sandbox-logs-'));
    const objects: unknown[] = [];
    const custom = {
      patchNamespacedCustomObject: async (p: { body: unknown }) => {
        if (objects.length === 0) throw Object.assign(new Error('not found'), { code: 404 });
        objects.push(p.body);
      },
      createNamespacedCustomObject: async (p: { body: unknown }) => void objects.push(p.body),
    } as unknown as CustomObjectsApi;
    const logs = createLogWriter(state, custom, quiet);
    await logs.startInstance(pod, 'app', ['first run']);
    await logs.startInstance(pod, 'app', [{ stderr: 'second run' }]);
    const dir = join(state, 'logs', 'pods', `shop_${pod.name}_${pod.uid}`, 'app');
    expect(readFileSync(join(dir, 'previous.log'), 'utf8')).toMatch(/^\S+Z stdout F first run\n$/);
    expect(readFileSync(join(dir, 'current.log'), 'utf8')).toMatch(/^\S+Z stderr F second run\n$/);
    expect(objects[0]).toMatchObject({
      kind: 'Logs',
      metadata: { name: pod.name, namespace: 'shop', ownerReferences: [{ kind: 'Pod', uid: pod.uid }] },
      spec: { logs: [{ containers: ['app'], logsFile: join(dir, 'current.log') }] },
    });
    expect(objects[1]).toEqual({
      spec: {
        logs: [
          {
            containers: ['app'],
            logsFile: join(dir, 'current.log'),
            previousLogsFile: join(dir, 'previous.log'),
            follow: false,
          },
        ],
      },
    });
    logs.removePod(pod);
    expect(existsSync(dir)).toBe(false);
  });
});
