// Pods shaped as the API server returns them once scheduled (defaults, kube-api-access volume), for sandbox tests.
import type { V1Container, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { Lookups } from './resolve-env.js';

/** A container as a Deployment's pod template carries it after API defaulting. */
export function container(overrides: Partial<V1Container> & { image: string }): V1Container {
  return {
    name: 'app',
    imagePullPolicy:
      overrides.image.endsWith(':latest') || !overrides.image.includes(':') ? 'Always' : 'IfNotPresent',
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    volumeMounts: [
      {
        mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
        name: 'kube-api-access-7x2kq',
        readOnly: true,
      },
    ],
    ...overrides,
  };
}

/** A pod of ReplicaSet web-7d4b9c8f6d in namespace shop, bound to sandbox-node-a. */
export function scheduledPod(containers: V1Container[], spec: Partial<V1PodSpec> = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-7d4b9c8f6d-x7k2p',
      generateName: 'web-7d4b9c8f6d-',
      namespace: 'shop',
      uid: '3f1c9a52-6b1e-4d8e-9a51-2f0d2b8c7e41',
      resourceVersion: '48213',
      generation: 1,
      labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6d' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7d4b9c8f6d',
          uid: 'c4f9e9b1-afb3-4ea5-bd76-82526ed967ef',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers,
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      nodeName: 'sandbox-node-a',
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: 'default',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      volumes: [
        {
          name: 'kube-api-access-7x2kq',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [
                    { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                  ],
                },
              },
            ],
          },
        },
      ],
      ...spec,
    },
    status: {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: new Date('2026-11-28T03:00:00Z') },
      ],
    },
  };
}

/** ConfigMaps/Secrets of namespace `shop` (kube-root-ca.crt always exists, as in any namespace). */
export function lookupsWith(
  objects: {
    configMaps?: Record<string, Record<string, string>>;
    secrets?: Record<string, Record<string, string>>;
  } = {},
): Lookups {
  const configMaps: Record<string, Record<string, string>> = {
    'kube-root-ca.crt': { 'ca.crt': '-----BEGIN CERTIFICATE-----' },
    ...objects.configMaps,
  };
  return {
    configMap: (ns, name) => (ns === 'shop' ? configMaps[name] : undefined),
    secret: (ns, name) => (ns === 'shop' ? objects.secrets?.[name] : undefined),
  };
}
