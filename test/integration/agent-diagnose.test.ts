// diagnose on the sandbox, under the worker's least-privilege RBAC (minted kubeconfig, not the admin one):
// every failure class is recognised with a sensible root cause; nothing is applied.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintWorkerKubeconfig } from '../../sandbox/mint-kubeconfig.js';
import {
  createNamespace,
  deleteNamespace,
  deployment,
  kube,
  waitAvailable,
  type Kube,
} from './support/kube.js';
import { runCli } from './support/run-cli.js';
import { waitFor } from './support/wait-for.js';

let k: Kube;
let ns: string;
let quotaNs: string;
/** The worker's own credentials: the shipped Role in these namespaces plus the node reader. */
let workerKubeconfig: string;

const broken = {
  // Memory below the image's working set (shop-web needs ~120Mi).
  oom: deployment('oom', {
    image: 'acme/shop-web:1.4.0',
    env: [{ name: 'DATABASE_URL', value: 'postgres://db/shop' }],
    resources: { limits: { memory: '64Mi' } },
  }),
  crash: deployment('crash', { image: 'postgres:16', ports: [{ containerPort: 5432 }] }),
  probe: deployment('probe', {
    image: 'nginx:1.27',
    ports: [{ name: 'http', containerPort: 80 }],
    readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
  }),
  unschedulable: deployment('huge', { image: 'nginx:1.27', resources: { requests: { memory: '64Gi' } } }),
  config: deployment('config', {
    image: 'nginx:1.27',
    env: [{ name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'LOG_LEVEL' } } }],
  }),
  pull: deployment('pull', { image: 'nginx:1.99' }),
  healthy: deployment('fine', { image: 'nginx:1.27', ports: [{ containerPort: 80 }] }),
};

beforeAll(async () => {
  k = kube();
  ns = await createNamespace(k, 'diag');
  quotaNs = await createNamespace(k, 'quota');
  workerKubeconfig = join(tmpdir(), `worker-${ns}.kubeconfig`);
  writeFileSync(workerKubeconfig, await mintWorkerKubeconfig(k.kubeconfig, [ns, quotaNs]), { mode: 0o600 });
  await Promise.all(
    Object.values(broken).map((body) => k.apps.createNamespacedDeployment({ namespace: ns, body })),
  );
  await k.core.createNamespacedResourceQuota({
    namespace: quotaNs,
    body: { metadata: { name: 'compute' }, spec: { hard: { 'requests.memory': '100Mi' } } },
  });
  await k.apps.createNamespacedDeployment({
    namespace: quotaNs,
    body: deployment(
      'greedy',
      { image: 'nginx:1.27', resources: { requests: { memory: '64Mi' } } },
      { replicas: 3 },
    ),
  });
  await waitAvailable(k, ns, 'fine');
  // Wait until the failures are visible the way a user would first see them.
  await waitFor(
    async () => {
      const pods = (await k.core.listNamespacedPod({ namespace: ns })).items;
      const reason = (app: string) =>
        pods.find((p) => p.metadata?.labels?.app === app)?.status?.containerStatuses?.[0];
      return (
        (reason('oom')?.restartCount ?? 0) > 0 &&
        (reason('crash')?.restartCount ?? 0) > 0 &&
        reason('pull')?.state?.waiting
      );
    },
    { what: 'broken pods to show their failures', timeoutMs: 90_000 },
  );
});

afterAll(async () => {
  await deleteNamespace(k, ns);
  await deleteNamespace(k, quotaNs);
});

const diagnose = (name: string, namespace = ns) =>
  runCli(
    'diagnose',
    `deployment/${name}`,
    { namespace },
    { AUTOFIX_NAMESPACES: namespace, KUBECONFIG: workerKubeconfig },
  );

describe('kube-autofix diagnose (rule engine) on the sandbox', () => {
  it('oom_killed: proposes a validated memory raise', async () => {
    const r = await diagnose('oom');
    expect(r.json.diagnosis?.category).toBe('oom_killed');
    expect(r.json.diagnosis?.rootCause).toMatch(/64Mi/);
    expect(r.json.outcome).toBe('proposed');
    expect(r.json.proposal?.diff).toMatch(/memory: 128Mi/);
    expect(r.json.validation).toEqual({
      schemaOk: true,
      policy: { ok: true, violations: [] },
      dryRun: { ok: true, message: null },
      flags: [],
    });
    expect(r.code).toBe(0);
    // Nothing was applied: the live limit is unchanged.
    const live = await k.apps.readNamespacedDeployment({ name: 'oom', namespace: ns });
    expect(live.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe('64Mi');
  });

  it('crash_loop: names the missing variable and offers no automatic fix', async () => {
    const r = await diagnose('crash');
    expect(r.json.diagnosis?.category).toBe('crash_loop');
    expect(r.json.outcome).toBe('no_safe_fix');
    expect(`${r.json.diagnosis?.rootCause} ${r.json.diagnosis?.summary}`).toMatch(/POSTGRES_PASSWORD/);
    expect(r.code).toBe(1);
  });

  it('probe_failure: points the probe at the declared port', async () => {
    const r = await diagnose('probe');
    expect(r.json.diagnosis?.category).toBe('probe_failure');
    expect(r.json.outcome).toBe('proposed');
    expect(r.json.proposal?.diff).toMatch(/-\s+port: 8080/);
  });

  it('unschedulable: explains the scheduler verdict with node facts the worker may read', async () => {
    const r = await diagnose('huge');
    expect(r.json.diagnosis?.category).toBe('unschedulable');
    expect(r.json.diagnosis?.rootCause).toMatch(/memory/i);
    // The node reader ClusterRole lets the worker compare the request with real node allocatable.
    expect(r.json.diagnosis?.rootCause).toMatch(
      /3\/3 nodes lack memory for its 64Gi request \(largest node allocatable \d+(\.\d+)?[GM]i\)/,
    );
    expect(r.json.outcome).toBe('no_safe_fix');
  });

  it('missing_config: says exactly which ConfigMap and key to create', async () => {
    const r = await diagnose('config');
    expect(r.json.diagnosis?.category).toBe('missing_config');
    expect(r.json.outcome).toBe('no_safe_fix');
    expect(`${r.json.diagnosis?.rootCause} ${r.json.diagnosis?.summary}`).toMatch(/app-config/);
  });

  it('image_pull: recognises the missing tag', async () => {
    const r = await diagnose('pull');
    expect(r.json.diagnosis?.category).toBe('image_pull');
    expect(r.json.diagnosis?.rootCause).toMatch(/nginx:1\.99/);
  });

  it('quota_exceeded: reads the ReplicaSet FailedCreate events', async () => {
    await waitFor(
      async () => {
        const events = (await k.core.listNamespacedEvent({ namespace: quotaNs })).items;
        return events.some((e) => e.reason === 'FailedCreate' && /exceeded quota/.test(e.message ?? ''));
      },
      { what: 'FailedCreate for quota' },
    );
    const r = await diagnose('greedy', quotaNs);
    expect(r.json.diagnosis?.category).toBe('quota_exceeded');
    expect(r.json.diagnosis?.rootCause).toMatch(/compute/);
    expect(r.json.outcome).toBe('no_safe_fix');
  });

  it('healthy: says so and proposes nothing', async () => {
    const r = await diagnose('fine');
    expect(r.json.outcome).toBe('healthy');
    expect(r.json.diagnosis?.category).toBe('healthy');
    expect(r.json.proposal).toBeNull();
    expect(r.code).toBe(0);
  });
});

describe('kube-autofix diagnose refusals', () => {
  it('refuses a namespace outside AUTOFIX_NAMESPACES before any cluster call', async () => {
    const r = await runCli(
      'diagnose',
      'deployment/fine',
      { namespace: ns },
      { AUTOFIX_NAMESPACES: 'somewhere-else', KUBECONFIG: '/nonexistent' },
    );
    expect(r.code).toBe(2);
    expect(r.json.outcome).toBe('refused');
    expect(r.json.error).toMatch(/AUTOFIX_NAMESPACES/);
  });

  it('reports a missing target with the name and namespace looked up', async () => {
    const r = await diagnose('does-not-exist');
    expect(r.code).toBe(2);
    expect(r.json.error).toContain('"does-not-exist"');
    expect(r.json.error).toContain(ns);
  });
});
