// fix --yes on the sandbox: validated changes heal the workload; refusals apply nothing; nothing else changes.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKubeCluster } from '../../src/k8s/kube-cluster.js';
import { investigate } from '../../src/agent/investigate.js';
import { applyProposal } from '../../src/workflow/apply-change.js';
import { createRulesEngine } from '../../src/agent/diagnose/rules/rules-engine.js';
import { NoopTracker } from '../../src/tracking/no-op-tracker.js';
import { loadConfig } from '../../src/config/config.js';
import { isAutofixError } from '../../src/domain/index.js';
import { mintWorkerKubeconfig } from '../../sandbox/mint-kubeconfig.js';
import {
  createNamespace,
  deleteNamespace,
  deployment,
  waitAvailable,
  type Kube,
  useNamespace,
} from './support/kube.js';
import { runCli } from './support/run-cli.js';
import { waitFor } from './support/wait-for.js';

let k: Kube;
let ns: string;

/** Spec generations of other workloads (their status churns) and resourceVersions of the rest. */
async function bystanders(namespace: string, target: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const d of (await k.apps.listNamespacedDeployment({ namespace })).items) {
    if (d.metadata?.name !== target)
      out[`deploy/${d.metadata?.name}`] = `generation ${d.metadata?.generation}`;
  }
  for (const c of (await k.core.listNamespacedConfigMap({ namespace })).items)
    out[`cm/${c.metadata?.name}`] = String(c.metadata?.resourceVersion);
  for (const s of (await k.core.listNamespacedService({ namespace })).items)
    out[`svc/${s.metadata?.name}`] = String(s.metadata?.resourceVersion);
  for (const s of (await k.core.listNamespacedSecret({ namespace })).items)
    out[`secret/${s.metadata?.name}`] = String(s.metadata?.resourceVersion);
  return out;
}

async function image(name: string): Promise<string | undefined> {
  return (await k.apps.readNamespacedDeployment({ name, namespace: ns })).spec?.template.spec?.containers[0]
    ?.image;
}

useNamespace('fix', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  // A bystander that must not change, and a Secret-backed env value that must never be printed.
  await k.core.createNamespacedConfigMap({
    namespace: ns,
    body: { metadata: { name: 'unrelated' }, data: { a: '1' } },
  });
  await k.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'db' }, stringData: { password: 'canary-s3cr3t-value' } },
  });
  await k.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('bystander', { image: 'nginx:1.27' }),
  });
  const web = deployment(
    'web',
    {
      image: 'nginx:1.27',
      ports: [{ name: 'http', containerPort: 80 }],
      env: [
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'API_TOKEN', value: 'canary-inline-token-value' },
      ],
    },
    { replicas: 2 },
  );
  await k.apps.createNamespacedDeployment({ namespace: ns, body: web });
  await k.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('oom', {
      image: 'acme/shop-web:1.4.0',
      env: [{ name: 'DATABASE_URL', value: 'postgres://db/shop' }],
      resources: { limits: { memory: '64Mi' } },
    }),
  });
  await k.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('config', {
      image: 'nginx:1.27',
      env: [{ name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'LOG_LEVEL' } } }],
    }),
  });
  await waitAvailable(k, ns, 'web');
  await waitAvailable(k, ns, 'bystander');
  // A bad release of web: the image tag does not exist.
  await k.apps.patchNamespacedDeployment(
    {
      name: 'web',
      namespace: ns,
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.99' }],
    },
    { headers: { 'Content-Type': 'application/json-patch+json' } } as never,
  );
  await waitFor(
    async () => {
      const pods = (await k.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })).items;
      return pods.some((p) =>
        p.status?.containerStatuses?.[0]?.state?.waiting?.reason?.includes('ImagePull'),
      );
    },
    { what: 'web pods failing to pull nginx:1.99' },
  );
});

const env = () => ({ AUTOFIX_NAMESPACES: ns });

describe('kube-autofix fix --yes (rule engine)', () => {
  it('rolls a broken release back to the last healthy template and nothing else changes', async () => {
    const before = await bystanders(ns, 'web');
    const r = await runCli('fix', 'deployment/web', { namespace: ns, yes: true }, env());
    expect(r.json.outcome).toBe('fixed');
    expect(r.json.diagnosis?.category).toBe('image_pull');
    expect(r.json.apply).toMatchObject({ applied: true, rolloutHealthy: true });
    expect(r.code).toBe(0);
    expect(await image('web')).toBe('nginx:1.27');
    await waitAvailable(k, ns, 'web');
    const after = await bystanders(ns, 'web');
    expect(after).toEqual(before);
    // The Secret-backed value stays a reference and the inline token came back intact, never printed.
    const live = await k.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
    expect(live.spec?.template.spec?.containers[0]?.env).toEqual([
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'API_TOKEN', value: 'canary-inline-token-value' },
    ]);
    expect(r.stdout + r.stderr).not.toContain('canary-inline-token-value');
    expect(r.stdout + r.stderr).not.toContain('canary-s3cr3t-value');
    // Our field manager is recorded on the object.
    expect(live.metadata?.managedFields?.some((f) => f.manager === 'kube-autofix')).toBe(true);
  });

  it('raises an OOMing memory limit and the rollout becomes healthy', async () => {
    const r = await runCli('fix', 'deployment/oom', { namespace: ns, yes: true }, env());
    expect(r.json.diagnosis?.category).toBe('oom_killed');
    expect(r.json.outcome).toBe('fixed');
    const live = await k.apps.readNamespacedDeployment({ name: 'oom', namespace: ns });
    expect(live.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe('128Mi');
  });

  it('an OOM that needs two doublings: the first rollout is OOM-killed in the settle window, the next round heals', async () => {
    // Needs 384Mi: 200Mi rolls out ready, then is OOM-killed seconds later.
    const body = deployment('oom2', {
      image: 'acme/checkout:2.3.1',
      env: [{ name: 'PAYMENTS_URL', value: 'http://payments-api:9000' }],
      resources: { requests: { memory: '100Mi' }, limits: { memory: '100Mi' } },
    });
    body.spec!.progressDeadlineSeconds = 20;
    await k.apps.createNamespacedDeployment({ namespace: ns, body });
    await waitFor(
      async () => {
        const pods = (await k.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=oom2' })).items;
        return pods.some((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0);
      },
      { what: 'oom2 OOM-killed once' },
    );
    const r = await runCli('fix', 'deployment/oom2', { namespace: ns, yes: true }, env());
    expect(r.stderr).toMatch(/container app OOMKilled after the rollout \(restarts \d+ → \d+\)/);
    expect(r.json.outcome).toBe('fixed');
    const live = await k.apps.readNamespacedDeployment({ name: 'oom2', namespace: ns });
    expect(live.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe('400Mi');
  });

  it('gives a precise instruction and applies nothing when no safe fix exists', async () => {
    const gen = (await k.apps.readNamespacedDeployment({ name: 'config', namespace: ns })).metadata
      ?.generation;
    const r = await runCli('fix', 'deployment/config', { namespace: ns, yes: true }, env());
    expect(r.json.outcome).toBe('no_safe_fix');
    expect(r.json.apply).toBeNull();
    expect(r.code).toBe(1);
    expect(
      (await k.apps.readNamespacedDeployment({ name: 'config', namespace: ns })).metadata?.generation,
    ).toBe(gen);
  });

  it('asks for confirmation: without a terminal and without --yes it refuses and applies nothing', async () => {
    const r = await runCli('fix', 'deployment/config', { namespace: ns }, env());
    expect(r.code).toBe(2);
    expect(r.json.error).toMatch(/--yes/);
  });
});

describe('statefulsets', () => {
  it('the same logic heals an OOMing StatefulSet', async () => {
    const apps = k.apps;
    await apps.createNamespacedStatefulSet({
      namespace: ns,
      body: {
        metadata: { name: 'db', labels: { app: 'db' } },
        spec: {
          replicas: 1,
          serviceName: 'db',
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: {
              terminationGracePeriodSeconds: 0,
              containers: [
                {
                  name: 'app',
                  image: 'acme/shop-web:1.4.0',
                  env: [{ name: 'DATABASE_URL', value: 'x' }],
                  resources: { limits: { memory: '64Mi' } },
                },
              ],
            },
          },
        },
      },
    });
    await waitFor(
      async () =>
        (await k.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=db' })).items.some(
          (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0,
        ),
      { what: 'db-0 OOMs' },
    );
    const r = await runCli('fix', 'statefulset/db', { namespace: ns, yes: true }, env());
    expect(r.json.target.kind).toBe('StatefulSet');
    expect(r.json.diagnosis?.category).toBe('oom_killed');
    expect(r.json.outcome).toBe('fixed');
    const live = await apps.readNamespacedStatefulSet({ name: 'db', namespace: ns });
    expect(live.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe('128Mi');
  });
});

describe('apply safety', () => {
  it('refuses a stale proposal when the target changed since, and applies nothing', async () => {
    const name = 'stale';
    await k.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment(name, {
        image: 'acme/shop-web:1.4.0',
        env: [{ name: 'DATABASE_URL', value: 'x' }],
        resources: { limits: { memory: '64Mi' } },
      }),
    });
    await waitFor(
      async () =>
        (await k.core.listNamespacedPod({ namespace: ns, labelSelector: `app=${name}` })).items.some(
          (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0,
        ),
      { what: 'stale OOMs' },
    );
    const cluster = createKubeCluster({ kubeconfig: k.kubeconfig });
    const config = { ...loadConfig({ AUTOFIX_NAMESPACES: ns }), maxIterations: 1 };
    const inv = await investigate(
      { kind: 'Deployment', name, namespace: ns },
      { cluster, engine: createRulesEngine(), tracker: new NoopTracker(), config },
    );
    expect(inv.outcome).toBe('proposed');
    // Someone changes the deployment between the proposal and the approval.
    await k.apps.patchNamespacedDeployment(
      {
        name,
        namespace: ns,
        body: [
          { op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'EXTRA', value: '1' } },
        ],
      },
      { headers: { 'Content-Type': 'application/json-patch+json' } } as never,
    );
    const err = await applyProposal(inv.target, inv.proposal!, {
      cluster,
      rolloutTimeoutSeconds: 30,
      policy: config.policy,
    }).catch((e: unknown) => e);
    expect(isAutofixError(err) && err.code).toBe('STALE_PROPOSAL');
    const live = await k.apps.readNamespacedDeployment({ name, namespace: ns });
    expect(live.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe('64Mi');
  });
});

describe('least privilege', () => {
  it('a worker account limited to one namespace cannot read another, and the error says so', async () => {
    const other = await createNamespace(k, 'other');
    try {
      await k.apps.createNamespacedDeployment({
        namespace: other,
        body: deployment('web', { image: 'nginx:1.27' }),
      });
      const file = join(tmpdir(), `worker-${ns}.kubeconfig`);
      writeFileSync(file, await mintWorkerKubeconfig(k.kubeconfig, [ns]), { mode: 0o600 });
      const allowed = await runCli(
        'diagnose',
        'deployment/bystander',
        { namespace: ns },
        { AUTOFIX_NAMESPACES: `${ns},${other}`, KUBECONFIG: file },
      );
      expect(allowed.json.outcome).toBe('healthy');
      const denied = await runCli(
        'diagnose',
        'deployment/web',
        { namespace: other },
        { AUTOFIX_NAMESPACES: `${ns},${other}`, KUBECONFIG: file },
      );
      expect(denied.code).toBe(2);
      expect(denied.json.outcome).toBe('refused');
      expect(denied.json.error).toMatch(/forbidden/i);
      expect(denied.json.error).toContain('system:serviceaccount:kube-autofix:kube-autofix-worker');
    } finally {
      await deleteNamespace(k, other);
    }
  });
});
