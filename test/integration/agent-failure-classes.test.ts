// On the sandbox: each failure class is diagnosed with its category, the kubelet's/controller's own words, and the fix or human action.
import { beforeAll, describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { deployment, type Kube, useNamespace } from './support/kube.js';
import { diagnoseWhen, quotes } from './support/diagnose-when.js';

let k: Kube;
let ns: string;

const diagnoseWhenBroken = (name: string) => diagnoseWhen({ kind: 'Deployment', name, namespace: ns });

function withSpec(d: V1Deployment, spec: Record<string, unknown>): V1Deployment {
  Object.assign(d.spec!.template.spec!, spec);
  return d;
}

useNamespace(
  'classes',
  (client, name) => {
    k = client;
    ns = name;
  },
  { 'pod-security.kubernetes.io/enforce': 'baseline' },
);

beforeAll(async () => {
  await k.core.createNamespacedPersistentVolumeClaim({
    namespace: ns,
    body: {
      metadata: { name: 'data' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: '',
        resources: { requests: { storage: '1Gi' } },
      },
    },
  });
  const bodies: V1Deployment[] = [
    withSpec(deployment('pvc', { image: 'redis:7.4', volumeMounts: [{ name: 'd', mountPath: '/data' }] }), {
      volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }],
    }),
    withSpec(deployment('mount', { image: 'nginx:1.27', volumeMounts: [{ name: 's', mountPath: '/srv' }] }), {
      volumes: [{ name: 's', configMap: { name: 'site' } }],
    }),
    withSpec(deployment('init', { image: 'nginx:1.27' }), {
      initContainers: [{ name: 'migrate', image: 'busybox:1.36', command: ['migrate', '--up'] }],
    }),
    deployment('dep', {
      image: 'busybox:1.36',
      command: ['sh', '-c', 'echo "Error: connect ECONNREFUSED db:5432"; exit 1'],
    }),
    deployment('badname', { image: 'nginx:1.27:latest' }),
    withSpec(deployment('nosa', { image: 'nginx:1.27' }), { serviceAccountName: 'builder' }),
    deployment('priv', { image: 'nginx:1.27', securityContext: { privileged: true } }),
  ];
  await Promise.all(bodies.map((body) => k.apps.createNamespacedDeployment({ namespace: ns, body })));
}, 60_000);

describe('failure classes on the sandbox', () => {
  it('a PVC with no StorageClass: the PV controller quoted, the claim named, a human action', async () => {
    const { findings, diagnosis } = await diagnoseWhenBroken('pvc');
    expect(diagnosis.category).toBe('unschedulable');
    expect(diagnosis.rootCause).toContain('PersistentVolumeClaim data');
    expect(quotes(findings)).toMatch(/no storage class is set|unbound immediate PersistentVolumeClaims/);
    expect(diagnosis.change).toBeNull();
    expect(diagnosis.humanAction).toMatch(/StorageClass|storageClassName/);
  }, 120_000);

  it('a missing ConfigMap volume: FailedMount quoted, create it', async () => {
    const { findings, diagnosis } = await diagnoseWhenBroken('mount');
    expect(diagnosis.category).toBe('missing_config');
    expect(quotes(findings)).toContain('configmap "site" not found');
    expect(diagnosis.humanAction).toContain('Create ConfigMap `site`');
  }, 120_000);

  it('a failing init container is named as such, with the runtime error', async () => {
    const { findings, diagnosis } = await diagnoseWhenBroken('init');
    expect(diagnosis.category).toBe('crash_loop');
    expect(diagnosis.rootCause).toContain('Init container migrate');
    expect(quotes(findings)).toContain('"migrate"');
  }, 120_000);

  it('a crash caused by a dependency names the missing Service and changes nothing', async () => {
    const { findings, diagnosis } = await diagnoseWhenBroken('dep');
    expect(diagnosis.category).toBe('crash_loop');
    expect(quotes(findings)).toContain('ECONNREFUSED db:5432');
    expect(diagnosis.change).toBeNull();
    expect(diagnosis.humanAction).toContain('Service `db` does not exist');
  }, 120_000);

  it('InvalidImageName: the kubelet reason quoted and the reference to fix', async () => {
    const { findings, diagnosis } = await diagnoseWhenBroken('badname');
    expect(diagnosis.category).toBe('image_pull');
    expect(quotes(findings)).toContain('InvalidImageName');
    expect(diagnosis.humanAction).toContain('is not a valid image name');
  }, 120_000);

  it('a missing ServiceAccount: the controller quoted, missing_config, create it', async () => {
    const { findings, diagnosis } = await diagnoseWhenBroken('nosa');
    expect(diagnosis.category).toBe('missing_config');
    expect(quotes(findings)).toContain('serviceaccount "builder" not found');
    expect(diagnosis.humanAction).toContain('Create ServiceAccount `builder`');
  }, 120_000);

  it('PodSecurity refusing the pods: the admission message quoted, the rule named, nothing relaxed', async () => {
    const { findings, diagnosis } = await diagnoseWhenBroken('priv');
    expect(quotes(findings)).toMatch(/violates PodSecurity "baseline:latest": privileged/);
    expect(diagnosis.change).toBeNull();
    expect(diagnosis.humanAction).toContain('Make the pod template meet PodSecurity `baseline`');
  }, 120_000);
});
