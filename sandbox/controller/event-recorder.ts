// Records core/v1 Events as the kubelet does: source kubelet@node, repeats aggregated into count/lastTimestamp.
import { PatchStrategy, setHeaderOptions, type CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from './logger.js';

export interface PodRef {
  name: string;
  namespace: string;
  uid: string;
  nodeName: string;
}

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** `spec.containers{app}`; absent for pod-level events such as FailedMount. */
  fieldPath?: string;
}

export interface EventRecorder {
  record(pod: PodRef, event: EventSpec): void;
  /** Drops the aggregation state of a deleted pod. */
  forget(podUid: string): void;
  /** Resolves once every event recorded so far has been written. */
  flush(): Promise<void>;
}

interface Seen {
  name: string;
  count: number;
}

/** Same key as client-go's EventCorrelator: source, involved object, type, reason and message. */
function eventKey(pod: PodRef, e: EventSpec): string {
  return [pod.uid, pod.nodeName, e.fieldPath ?? '', e.type, e.reason, e.message].join('\u0000');
}

export function createEventRecorder(core: CoreV1Api, log: Logger): EventRecorder {
  const seen = new Map<string, Seen>();
  const chains = new Map<string, Promise<void>>();
  let sequence = 0;

  const write = async (pod: PodRef, e: EventSpec, key: string): Promise<void> => {
    const now = new Date();
    const previous = seen.get(key);
    if (previous !== undefined) {
      const count = previous.count + 1;
      try {
        await core.patchNamespacedEvent(
          {
            name: previous.name,
            namespace: pod.namespace,
            body: { count, lastTimestamp: now.toISOString() },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        seen.set(key, { ...previous, count });
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    }
    // client-go names events <object>.<hex nanoseconds>; a sequence keeps names unique within a millisecond.
    const name = `${pod.name}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(sequence++ % 1_000_000)).toString(16)}`;
    await core.createNamespacedEvent({
      namespace: pod.namespace,
      body: {
        metadata: { name, namespace: pod.namespace },
        involvedObject: {
          apiVersion: 'v1',
          kind: 'Pod',
          name: pod.name,
          namespace: pod.namespace,
          uid: pod.uid,
          ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}),
        },
        reason: e.reason,
        message: e.message,
        type: e.type,
        source: { component: 'kubelet', host: pod.nodeName },
        reportingComponent: 'kubelet',
        reportingInstance: pod.nodeName,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
    seen.set(key, { name, count: 1 });
  };

  return {
    record(pod, e) {
      const key = eventKey(pod, e);
      const chain = (chains.get(key) ?? Promise.resolve())
        .then(() => write(pod, e, key))
        .catch((err: unknown) => {
          // A namespace being deleted refuses new events; that is expected, not worth a warning.
          const code = (err as { code?: number }).code;
          if (code === 404 || (code === 403 && String(err).includes('being terminated'))) return;
          log.warn('event not recorded', {
            pod: `${pod.namespace}/${pod.name}`,
            reason: e.reason,
            error: String(err),
          });
        });
      chains.set(key, chain);
      void chain.finally(() => {
        if (chains.get(key) === chain) chains.delete(key);
      });
    },
    forget(podUid) {
      for (const key of seen.keys()) if (key.startsWith(`${podUid}\u0000`)) seen.delete(key);
    },
    async flush() {
      await Promise.all([...chains.values()]);
    },
  };
}
