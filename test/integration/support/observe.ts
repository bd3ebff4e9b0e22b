// What a user reads with kubectl get/describe/logs, as plain functions over the sandbox's API.
import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { Kube } from './kube.js';
import { waitFor } from './wait-for.js';

/** The newest live pod of a Deployment (label app=<name>). */
export async function podOf(k: Kube, namespace: string, app: string): Promise<V1Pod | undefined> {
  const pods = (await k.core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items.filter(
    (p) => !p.metadata?.deletionTimestamp,
  );
  return pods.sort(
    (a, b) => +new Date(b.metadata?.creationTimestamp ?? 0) - +new Date(a.metadata?.creationTimestamp ?? 0),
  )[0];
}

export function appStatus(pod: V1Pod | undefined, container = 'app'): V1ContainerStatus | undefined {
  return pod?.status?.containerStatuses?.find((s) => s.name === container);
}

/** Polls a Deployment's pod until `test` accepts it; returns that pod. */
export function waitPod(
  k: Kube,
  namespace: string,
  app: string,
  what: string,
  test: (pod: V1Pod, status: V1ContainerStatus | undefined) => unknown,
  timeoutMs = 60_000,
): Promise<V1Pod> {
  return waitFor(
    async () => {
      const pod = await podOf(k, namespace, app);
      return pod !== undefined && test(pod, appStatus(pod)) ? pod : null;
    },
    { what: `${namespace}/${app}: ${what}`, timeoutMs },
  );
}

/** `kubectl describe pod` events, oldest first. */
export async function eventsOf(k: Kube, namespace: string, pod: V1Pod): Promise<CoreV1Event[]> {
  const list = await k.core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.name=${pod.metadata?.name},involvedObject.kind=Pod`,
  });
  return list.items.sort((a, b) => +new Date(a.firstTimestamp ?? 0) - +new Date(b.firstTimestamp ?? 0));
}

export async function waitEvent(
  k: Kube,
  namespace: string,
  pod: V1Pod,
  test: (e: CoreV1Event) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<CoreV1Event> {
  return waitFor(async () => (await eventsOf(k, namespace, pod)).find(test), {
    what: `${namespace}/${pod.metadata?.name} event ${what}`,
    timeoutMs,
  });
}

/** `kubectl logs [--previous]`. */
export async function logsOf(
  k: Kube,
  namespace: string,
  pod: V1Pod,
  previous = false,
  container = 'app',
): Promise<string> {
  return k.core.readNamespacedPodLog({ namespace, name: pod.metadata?.name ?? '', container, previous });
}

export function condition(pod: V1Pod, type: string) {
  return pod.status?.conditions?.find((c) => c.type === type);
}
