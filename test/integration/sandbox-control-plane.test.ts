// What the real control plane decides stays real in the sandbox: rollouts, scheduling, quota, dry-run, Pod Security.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import {
  createNamespace,
  deleteNamespace,
  deployment,
  kube,
  waitAvailable,
  type Kube,
} from './support/kube.js';
import { waitPod } from './support/observe.js';
import { waitFor } from './support/wait-for.js';

let k: Kube;
let ns: string;

const statusMessage = (body: unknown): string => (JSON.parse(String(body)) as { message: string }).message;

async function rawPost(path: string, body: unknown): Promise<{ status: number; body: string }> {
  const kc = new KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  const opts: https.RequestOptions = { method: 'POST', headers: { 'content-type': 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(`${kc.getCurrentCluster()!.server}${path}`), opts, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
let quotaNs: string;
let restrictedNs: string;

beforeAll(async () => {
  k = kube();
  [ns, quotaNs, restrictedNs] = await Promise.all([
    createNamespace(k, 'ctl'),
    createNamespace(k, 'ctl-quota'),
    createNamespace(k, 'ctl-pss', { 'pod-security.kubernetes.io/enforce': 'baseline' }),
  ]);
  await k.core.createNamespacedResourceQuota({
    namespace: quotaNs,
    body: { metadata: { name: 'compute' }, spec: { hard: { 'requests.memory': '100Mi' } } },
  });
  await Promise.all([
    k.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('web', { image: 'nginx:1.99' }, { replicas: 2 }),
    }),
    k.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('huge', { image: 'nginx:1.27', resources: { requests: { memory: '64Gi' } } }),
    }),
    k.apps.createNamespacedDeployment({
      namespace: quotaNs,
      body: deployment(
        'greedy',
        { image: 'nginx:1.27', resources: { requests: { memory: '64Mi' } } },
        { replicas: 3 },
      ),
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([ns, quotaNs, restrictedNs].map((n) => deleteNamespace(k, n)));
});

describe('the control plane in the sandbox', () => {
  it('fixing a broken image tag through the API rolls out a healthy ReplicaSet', async () => {
    await waitPod(
      k,
      ns,
      'web',
      'ImagePullBackOff',
      (_p, s) => s?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    await k.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const d = await waitAvailable(k, ns, 'web', 90_000);
    expect(d.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Available', status: 'True' }),
    );
    const sets = (await k.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=web' })).items;
    const byImage = (image: string) =>
      sets.find((rs) => rs.spec?.template?.spec?.containers[0]?.image === image);
    expect(byImage('nginx:1.27')?.status).toMatchObject({ readyReplicas: 2 });
    await waitFor(
      async () => {
        const old = (
          await k.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=web' })
        ).items.find((rs) => rs.spec?.template?.spec?.containers[0]?.image === 'nginx:1.99');
        return (old?.spec?.replicas ?? 1) === 0 && (old?.status?.replicas ?? 1) === 0;
      },
      { what: 'old ReplicaSet scaled to 0' },
    );
  });

  it("an oversized request stays Pending with the scheduler's FailedScheduling event", async () => {
    const pod: V1Pod = await waitPod(k, ns, 'huge', 'unschedulable', (p) =>
      p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'),
    );
    expect(pod.spec?.nodeName).toBeUndefined();
    const event = await waitFor(
      async () =>
        (
          await k.core.listNamespacedEvent({
            namespace: ns,
            fieldSelector: `involvedObject.name=${pod.metadata?.name}`,
          })
        ).items.find((e) => e.reason === 'FailedScheduling'),
      { what: 'FailedScheduling event' },
    );
    expect(event.type).toBe('Warning');
    expect(event.message).toMatch(/0\/3 nodes are available: 3 Insufficient memory/);
  });

  it('a ResourceQuota rejection shows as FailedCreate on the ReplicaSet', async () => {
    const event = await waitFor(
      async () =>
        (
          await k.core.listNamespacedEvent({
            namespace: quotaNs,
            fieldSelector: 'involvedObject.kind=ReplicaSet',
          })
        ).items.find((e) => e.reason === 'FailedCreate'),
      { what: 'FailedCreate on the ReplicaSet' },
    );
    expect(event.type).toBe('Warning');
    expect(event.message).toContain('exceeded quota: compute');
  });

  it('server-side dry-run rejects an invalid object (strict field validation included) and creates nothing', async () => {
    const invalid = await k.apps
      .createNamespacedDeployment({
        namespace: ns,
        body: deployment('dry', { image: 'nginx:1.27', imagePullPolicy: 'Sometimes' }),
        dryRun: 'All',
        fieldValidation: 'Strict',
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code: number; body: string },
      );
    expect(invalid?.code).toBe(422);
    expect(statusMessage(invalid?.body)).toBe(
      'Deployment.apps "dry" is invalid: spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    );
    // The typed client drops unknown fields, so send this one as raw JSON, as kubectl would.
    const unknownField = deployment('dry', { image: 'nginx:1.27', livenessProbes: {} });
    const raw = await rawPost(
      `/apis/apps/v1/namespaces/${ns}/deployments?dryRun=All&fieldValidation=Strict`,
      unknownField,
    );
    expect(raw.status).toBe(400);
    expect(statusMessage(raw.body)).toContain(
      'unknown field "spec.template.spec.containers[0].livenessProbes"',
    );
    const ok = await k.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('dry', { image: 'nginx:1.27' }),
      dryRun: 'All',
      fieldValidation: 'Strict',
    });
    expect(ok.metadata?.uid).toBeDefined();
    await expect(k.apps.readNamespacedDeployment({ name: 'dry', namespace: ns })).rejects.toMatchObject({
      code: 404,
    });
  });

  it('PodSecurity baseline on a namespace rejects a privileged pod', async () => {
    const error = await k.core
      .createNamespacedPod({
        namespace: restrictedNs,
        body: {
          metadata: { name: 'priv' },
          spec: { containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }] },
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code: number; body: string },
      );
    expect(error?.code).toBe(403);
    expect(statusMessage(error?.body)).toContain(
      'violates PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)',
    );
  });
});
