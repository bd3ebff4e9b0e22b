// Real Kubernetes clients for integration tests, against the sandbox's admin kubeconfig.
import { afterAll, beforeAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { sandboxEnv } from '../sandbox-env.js';
import { waitFor } from './wait-for.js';

export interface Kube {
  kubeconfig: string;
  apps: AppsV1Api;
  core: CoreV1Api;
  discovery: DiscoveryV1Api;
}

/** Clients for the sandbox's cluster, or for the cluster of `kubeconfig` (a second one). */
export function kube(kubeconfig: string = sandboxEnv().KUBECONFIG): Kube {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return {
    kubeconfig,
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
  };
}

/** A fresh namespace with a random suffix, so test files never see each other's objects. */
export async function createNamespace(
  k: Kube,
  prefix: string,
  labels: Record<string, string> = {},
): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await k.core.createNamespace({ body: { metadata: { name, labels } } });
  await waitFor(
    async () =>
      (await k.core.listNamespacedServiceAccount({ namespace: name })).items.some(
        (s) => s.metadata?.name === 'default',
      ),
    {
      what: `default service account in ${name}`,
      timeoutMs: 30_000,
    },
  );
  return name;
}

export async function deleteNamespace(k: Kube, name: string): Promise<void> {
  await k.core.deleteNamespace({ name }).catch(() => undefined);
}

/**
 * The usual preamble of a test file: a Kube client and a fresh namespace before its tests (handed to `set`,
 * before any later beforeAll of the file runs), the namespace deleted after all of them (after-hooks run in
 * reverse order, so after the file's own clean-up).
 */
export function useNamespace(
  prefix: string,
  set: (k: Kube, ns: string) => void,
  labels: Record<string, string> = {},
): void {
  let k: Kube | null = null;
  let ns: string | null = null;
  beforeAll(async () => {
    k = kube();
    ns = await createNamespace(k, prefix, labels);
    set(k, ns);
  });
  afterAll(async () => {
    if (k && ns) await deleteNamespace(k, ns);
  });
}

export function isAvailable(d: V1Deployment): boolean {
  const s = d.status;
  const want = d.spec?.replicas ?? 1;
  return (
    (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
    (s?.updatedReplicas ?? 0) === want &&
    (s?.availableReplicas ?? 0) === want &&
    (s?.replicas ?? 0) === want
  );
}

export async function waitAvailable(
  k: Kube,
  namespace: string,
  name: string,
  timeoutMs = 90_000,
): Promise<V1Deployment> {
  return waitFor(
    async () => {
      const d = await k.apps.readNamespacedDeployment({ name, namespace });
      return isAvailable(d) ? d : null;
    },
    { what: `deployment ${namespace}/${name} available`, timeoutMs },
  );
}

/** Deployment manifest builder: one container, sane defaults, overrides merged into the container. */
export function deployment(
  name: string,
  container: Record<string, unknown>,
  extra: { replicas?: number } = {},
): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', ...container } as never] },
      },
    },
  };
}

/** `deployment/<name>` (default oom) in `ns`: shop-web OOM-looping at a 64Mi limit; resolves once a container has restarted. */
export async function createOomLoop(k: Kube, ns: string, name = 'oom'): Promise<void> {
  await k.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(name, {
      image: 'acme/shop-web:1.4.0',
      env: [{ name: 'DATABASE_URL', value: 'postgres://db/shop' }],
      resources: { limits: { memory: '64Mi' } },
    }),
  });
  await waitFor(
    async () =>
      (await k.core.listNamespacedPod({ namespace: ns, labelSelector: `app=${name}` })).items.some(
        (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0,
      ),
    { what: `deployment/${name} to restart`, timeoutMs: 90_000 },
  );
}
