// On the sandbox: GitOps-managed objects are not patched live under refuse (patch to commit shown) and are under allow;
// pod/<name> investigates its Deployment; a DaemonSet's bad rollout is rolled back; triage lists the broken workloads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { triageNamespace } from '../../src/agent/triage.js';
import { loadConfig } from '../../src/config/config.js';
import { createKubeCluster } from '../../src/k8s/kube-cluster.js';
import {
  createNamespace,
  deleteNamespace,
  deployment,
  kube,
  waitAvailable,
  type Kube,
} from './support/kube.js';
import { runCli } from './support/run-cli.js';
import { sandboxEnv } from './sandbox-env.js';
import { waitFor } from './support/wait-for.js';

let k: Kube;
let apps: AppsV1Api;
let ns: string;
const ARGO = { 'argocd.argoproj.io/tracking-id': 'shop-web:apps/Deployment:x/web' };

async function imageOf(name: string): Promise<string | undefined> {
  return (await k.apps.readNamespacedDeployment({ name, namespace: ns })).spec?.template.spec?.containers[0]
    ?.image;
}

/** A healthy Deployment, then a release to an image tag that does not exist (someone else's change). */
async function brokenRelease(name: string, annotations: Record<string, string> = {}): Promise<void> {
  const body = deployment(name, { image: 'nginx:1.27' }, { replicas: 2 });
  body.metadata!.annotations = annotations;
  await k.apps.createNamespacedDeployment({ namespace: ns, body });
  await waitAvailable(k, ns, name);
  await k.apps.patchNamespacedDeployment({
    name,
    namespace: ns,
    body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.99' }],
  });
  await waitFor(
    async () => {
      const pods = await k.core.listNamespacedPod({ namespace: ns, labelSelector: `app=${name}` });
      return pods.items.some((p) =>
        p.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'ImagePullBackOff'),
      );
    },
    { what: `${name} in ImagePullBackOff`, timeoutMs: 60_000 },
  );
}

beforeAll(async () => {
  k = kube();
  const kc = new KubeConfig();
  kc.loadFromFile(sandboxEnv().KUBECONFIG);
  apps = kc.makeApiClient(AppsV1Api);
  ns = await createNamespace(k, 'breadth');
  await Promise.all([
    brokenRelease('argo-web', ARGO),
    brokenRelease('argo-allowed', ARGO),
    brokenRelease('plain'),
  ]);
}, 240_000);

afterAll(async () => {
  await deleteNamespace(k, ns);
});

describe('GitOps-managed workloads', () => {
  it('under refuse (default for Argo CD), fix --yes says who owns it, shows the patch to commit and patches nothing', async () => {
    const r = await runCli(
      'fix',
      'deployment/argo-web',
      { namespace: ns, yes: true },
      { AUTOFIX_NAMESPACES: ns },
    );
    expect(r.json.outcome).toBe('refused');
    expect(r.code).toBe(2);
    expect(r.json.error).toContain('Argo CD application shop-web');
    const g = r.json.proposal?.gitops;
    expect(g).toMatchObject({ mode: 'refuse', liveApply: false, owner: { tool: 'argocd' } });
    const patch = parse(g!.commitPatch) as {
      spec: { template: { spec: { containers: Array<{ image: string }> } } };
    };
    expect(patch.spec.template.spec.containers[0]!.image).toBe('nginx:1.27');
    expect(await imageOf('argo-web')).toBe('nginx:1.99');
  }, 180_000);

  it('under allow, the same fix is applied and heals', async () => {
    const r = await runCli(
      'fix',
      'deployment/argo-allowed',
      { namespace: ns, yes: true },
      { AUTOFIX_NAMESPACES: ns, AUTOFIX_GITOPS_MODE: 'allow' },
    );
    expect(r.json.outcome).toBe('fixed');
    expect(r.json.proposal?.gitops?.mode).toBe('allow');
    expect(await imageOf('argo-allowed')).toBe('nginx:1.27');
  }, 180_000);
});

describe('pod/<name>', () => {
  it("investigates the pod's Deployment and says so", async () => {
    const pods = await k.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=plain' });
    const name = pods.items[0]!.metadata!.name!;
    const r = await runCli('diagnose', `pod/${name}`, { namespace: ns }, { AUTOFIX_NAMESPACES: ns });
    expect(r.json.target).toEqual({ kind: 'Deployment', name: 'plain', namespace: ns });
    expect(r.stderr).toMatch(new RegExp(`pod/${name} → replicaset/plain-[a-z0-9]+ → deployment/plain`));
    expect(r.json.diagnosis?.category).toBe('image_pull');
  }, 120_000);
});

describe('replicaset/<name> and bare pods', () => {
  it('resolves a ReplicaSet to its Deployment, and refuses a pod no workload owns, with a clear error', async () => {
    const rs = (await k.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=plain' }))
      .items[0]!;
    const viaRs = await runCli(
      'diagnose',
      `rs/${rs.metadata!.name}`,
      { namespace: ns },
      { AUTOFIX_NAMESPACES: ns },
    );
    expect(viaRs.json.target).toEqual({ kind: 'Deployment', name: 'plain', namespace: ns });
    await k.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'bare' },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
      },
    });
    const bare = await runCli('diagnose', 'pod/bare', { namespace: ns }, { AUTOFIX_NAMESPACES: ns });
    expect(bare.code).toBe(2);
    expect(bare.json.error).toContain(
      'pod/bare has no controlling owner, so there is no workload to investigate',
    );
  }, 120_000);
});

describe('triage', () => {
  it('lists the broken workloads of the namespace with the API calls it took', async () => {
    const cluster = createKubeCluster({ kubeconfig: sandboxEnv().KUBECONFIG });
    const report = await triageNamespace(cluster, ns, loadConfig({}).policy);
    expect(report.apiCalls).toBe(7);
    const names = report.unhealthy.map((i) => i.target.name);
    expect(names).toContain('plain');
    expect(names).not.toContain('argo-allowed');
    expect(report.unhealthy.find((i) => i.target.name === 'plain')?.category).toBe('image_pull');
  }, 60_000);
});

describe('DaemonSet', () => {
  it('a bad rollout is rolled back to the last healthy revision and runs on every node again', async () => {
    const name = 'node-agent';
    await apps.createNamespacedDaemonSet({
      namespace: ns,
      body: {
        metadata: { name },
        spec: {
          selector: { matchLabels: { app: name } },
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              terminationGracePeriodSeconds: 0,
              containers: [{ name: 'agent', image: 'busybox:1.36', command: ['sleep', '3600'] }],
            },
          },
        },
      },
    });
    const settled = async (image: string) => {
      const d = await apps.readNamespacedDaemonSet({ name, namespace: ns });
      const s = d.status;
      return (
        (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        (s?.desiredNumberScheduled ?? 0) > 0 &&
        s?.numberAvailable === s?.desiredNumberScheduled &&
        s?.updatedNumberScheduled === s?.desiredNumberScheduled &&
        d.spec?.template.spec?.containers[0]?.image === image
      );
    };
    await waitFor(() => settled('busybox:1.36'), { what: 'daemonset available', timeoutMs: 90_000 });
    await apps.patchNamespacedDaemonSet({
      name,
      namespace: ns,
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'busybox:1.99' }],
    });
    await waitFor(
      async () => {
        const pods = await k.core.listNamespacedPod({ namespace: ns, labelSelector: `app=${name}` });
        return pods.items.some((p) =>
          p.status?.containerStatuses?.some((c) => /ImagePull|ErrImage/.test(c.state?.waiting?.reason ?? '')),
        );
      },
      { what: 'the new DaemonSet pod failing to pull', timeoutMs: 60_000 },
    );
    const r = await runCli('fix', `ds/${name}`, { namespace: ns, yes: true }, { AUTOFIX_NAMESPACES: ns });
    expect(r.json.diagnosis?.category).toBe('image_pull');
    expect(r.json.outcome).toBe('fixed');
    // Judged from the cluster, not the agent's verdict: every node runs an available pod of the old image.
    await waitFor(() => settled('busybox:1.36'), {
      what: 'daemonset healthy on all nodes',
      timeoutMs: 90_000,
    });
  }, 240_000);
});
