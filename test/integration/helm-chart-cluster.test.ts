// The Helm chart against the sandbox's API server: strict server dry-run, Pod Security "restricted", a real
// `helm install`, and the worker ServiceAccount's RBAC exercised by a full `kube-autofix fix`.
// Pods are simulated by KWOK and the image is never pulled: these tests check admission and scheduling, not
// the kube-autofix process inside the pods (the Slack e2e tests run that process for real).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { serviceAccountKubeconfig } from '../../sandbox/mint-kubeconfig.js';
import { sandboxEnv } from './sandbox-env.js';
import { CHART_DIR, helm, renderChart } from './support/helm.js';
import { createNamespace, deleteNamespace, kube, type Kube } from './support/kube.js';
import { brokenDeployment, imageOf } from './support/slack-flow.js';
import { runCli } from './support/run-cli.js';
import { waitFor } from './support/wait-for.js';

const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
};
const release = `ka-${randomBytes(3).toString('hex')}`;
const fullname = `${release}-kube-autofix`;
let k: Kube;
let releaseNs: string;
let allowed: string;
let other: string;
let psaNs: string;
const pvName = `${release}-redis-data`;
const files: string[] = [];

/** `kubectl create --dry-run=server --validate=strict` of one object, sent as raw JSON like any kubectl user. */
function serverDryRun(obj: KubernetesObject, namespace: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = execFile(
      sandboxEnv().SANDBOX_KUBECTL!,
      ['create', '--dry-run=server', '--validate=strict', '-n', namespace, '-f', '-'],
      { env: { ...process.env, KUBECONFIG: sandboxEnv().KUBECONFIG } },
      (err, stdout, stderr) => done({ code: err ? 1 : 0, out: `${stdout}${stderr}` }),
    );
    child.stdin!.end(JSON.stringify(obj));
  });
}

type Workload = V1Deployment & { spec: { volumeClaimTemplates?: Array<{ metadata: { name: string } }> } };

/** A pod as a Deployment's or StatefulSet's controller creates it from the template (claims become volumes). */
function podFrom(workload: Workload, suffix: string): V1Pod {
  const t = workload.spec.template;
  const name = `${workload.metadata!.name}-${suffix}`;
  const claims = (workload.spec.volumeClaimTemplates ?? []).map((c) => ({
    name: c.metadata.name,
    persistentVolumeClaim: { claimName: `${c.metadata.name}-${name}` },
  }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: t.metadata?.labels },
    spec: { ...t.spec!, volumes: [...(t.spec!.volumes ?? []), ...claims] },
  };
}

beforeAll(async () => {
  k = kube();
  releaseNs = await createNamespace(k, 'chart', RESTRICTED);
  allowed = await createNamespace(k, 'chart-shop');
  other = await createNamespace(k, 'chart-other');
  psaNs = await createNamespace(k, 'chart-psa', RESTRICTED);
});

afterAll(async () => {
  await helm(['uninstall', release, '--namespace', releaseNs]);
  for (const ns of [releaseNs, allowed, other, psaNs]) if (ns) await deleteNamespace(k, ns);
  await k.core.deletePersistentVolume({ name: pvName }).catch(() => undefined);
  for (const f of files) rmSync(f, { force: true });
});

describe('rendered objects on the real API server', () => {
  it.each(['ci/default-values.yaml', 'ci/full-values.yaml', 'ci/socket-mode-values.yaml'])(
    'every object of %s passes dryRun=All with strict field validation',
    async (file) => {
      const objs = await renderChart([file], { namespace: releaseNs });
      // full-values names its own namespaces (shop, payments); they are mapped onto this test's namespace.
      const refused: string[] = [];
      let checked = 0;
      for (const obj of objs) {
        // No Prometheus Operator CRDs in the sandbox: the ServiceMonitor and AlertmanagerConfig are checked by shape in the render tests.
        if (obj.kind === 'ServiceMonitor' || obj.kind === 'AlertmanagerConfig') continue;
        const own = obj.metadata?.namespace;
        const sent = own ? { ...obj, metadata: { ...obj.metadata, namespace: allowed } } : obj;
        const r = await serverDryRun(sent, own ? allowed : releaseNs);
        checked += 1;
        // Pod Security only warns about a workload's template; a warning here is as bad as a refusal.
        if (r.code !== 0 || !r.out.includes('(server dry run)') || /would violate PodSecurity/.test(r.out))
          refused.push(`${obj.kind}/${obj.metadata?.name}: ${r.out}`);
      }
      expect(refused).toEqual([]);
      expect(checked).toBeGreaterThanOrEqual(15);
    },
  );

  it('every pod the chart creates is admitted where Pod Security "restricted" is enforced', async () => {
    const namespace = psaNs;
    for (const file of ['ci/default-values.yaml', 'ci/full-values.yaml']) {
      const objs = await renderChart([file], { namespace });
      // The pods name the chart's accounts, which must exist for admission; the install test uses its own namespace.
      for (const sa of objs.filter((o) => o.kind === 'ServiceAccount'))
        await k.core
          .createNamespacedServiceAccount({ namespace, body: { metadata: { name: sa.metadata!.name } } })
          .catch((e: { code?: number }) => {
            if (e.code !== 409) throw e;
          });
      const workloads = objs.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as Workload[];
      expect(workloads.length).toBeGreaterThanOrEqual(2);
      for (const w of workloads) {
        const r = await serverDryRun(podFrom(w, 'psa'), namespace);
        expect(r.out).toContain('(server dry run)');
        expect(r.out).not.toMatch(/violates PodSecurity/);
      }
    }
    // The namespace really enforces: the same pod without its securityContext is refused.
    const [bot] = (await renderChart(['ci/default-values.yaml'], { namespace })).filter(
      (o) => o.kind === 'Deployment',
    ) as Workload[];
    const loose = podFrom(bot!, 'loose');
    delete loose.spec!.securityContext;
    for (const c of loose.spec!.containers) delete c.securityContext;
    const refused = await serverDryRun(loose, namespace);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/violates PodSecurity "restricted:latest"/);
  });
});

describe('helm install into the sandbox', () => {
  it('brings up the bot, the workers and the bundled Redis: admitted under "restricted" and scheduled', async () => {
    // No storage provisioner in the sandbox: a PersistentVolume pre-bound to the Redis claim stands in for one.
    const claim = `data-${fullname}-redis-0`;
    await k.core.createPersistentVolume({
      body: {
        metadata: { name: pvName },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          hostPath: { path: join(tmpdir(), pvName) },
          claimRef: { namespace: releaseNs, name: claim },
          persistentVolumeReclaimPolicy: 'Delete',
        },
      },
    });
    const r = await helm([
      'install',
      release,
      CHART_DIR,
      '--namespace',
      releaseNs,
      '--values',
      join(CHART_DIR, 'ci/default-values.yaml'),
      '--set',
      `namespaces={${allowed}}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/STATUS: deployed/);
    expect(r.stdout).toContain(`The worker may act in: ${allowed}`);

    const pods = await waitFor(
      async () => {
        const list = (
          await k.core.listNamespacedPod({
            namespace: releaseNs,
            labelSelector: `app.kubernetes.io/instance=${release}`,
          })
        ).items;
        const scheduled = list.filter(
          (p) =>
            p.spec?.nodeName &&
            p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'True'),
        );
        return scheduled.length === 4 ? scheduled : null;
      },
      { what: '4 scheduled pods (1 bot, 2 workers, 1 redis)', timeoutMs: 120_000 },
    );
    const byComponent = (c: string) =>
      pods.filter((p) => p.metadata?.labels?.['app.kubernetes.io/component'] === c);
    expect(byComponent('bot')).toHaveLength(1);
    expect(byComponent('worker')).toHaveLength(2);
    expect(byComponent('redis')).toHaveLength(1);
    // The worker pods run as the chart's worker account with its token; the bot has none mounted.
    expect(byComponent('worker')[0]!.spec!.serviceAccountName).toBe(`${fullname}-worker`);
    expect(byComponent('bot')[0]!.spec!.volumes?.some((v) => v.projected)).toBeFalsy();
    const pvc = await k.core.readNamespacedPersistentVolumeClaim({ name: claim, namespace: releaseNs });
    expect(pvc.status?.phase).toBe('Bound');
    // Nothing was refused by Pod Security on the way (ReplicaSet FailedCreate events would say so).
    const events = await k.core.listNamespacedEvent({ namespace: releaseNs });
    expect(events.items.filter((e) => e.reason === 'FailedCreate').map((e) => e.message)).toEqual([]);
  });

  it("the chart's worker account can run a full `kube-autofix fix` in its namespace and is forbidden elsewhere", async () => {
    await brokenDeployment(k, allowed, 'web');
    await brokenDeployment(k, other, 'web');
    const kc = new KubeConfig();
    kc.loadFromFile(k.kubeconfig);
    const file = join(tmpdir(), `${release}-worker.kubeconfig`);
    files.push(file);
    writeFileSync(file, await serviceAccountKubeconfig(kc, releaseNs, `${fullname}-worker`, 600), {
      mode: 0o600,
    });
    // Both namespaces pass kube-autofix's own allowlist, so only RBAC stands between the worker and `other`.
    const env = { AUTOFIX_NAMESPACES: `${allowed},${other}`, KUBECONFIG: file };

    const fixed = await runCli('fix', 'deployment/web', { namespace: allowed, yes: true }, env);
    expect(fixed.json.outcome).toBe('fixed');
    expect(fixed.json.apply).toMatchObject({ applied: true, rolloutHealthy: true });
    expect(await imageOf(k, allowed, 'web')).toBe('nginx:1.27');

    const denied = await runCli('fix', 'deployment/web', { namespace: other, yes: true }, env);
    expect(denied.json.outcome).toBe('refused');
    expect(denied.json.error).toMatch(/forbidden/i);
    expect(denied.json.error).toContain(`system:serviceaccount:${releaseNs}:${fullname}-worker`);
    expect(await imageOf(k, other, 'web')).toBe('nginx:1.99');

    // Forbidden for everything in `other`, read-only on nodes.
    const worker = new KubeConfig();
    worker.loadFromString(await serviceAccountKubeconfig(kc, releaseNs, `${fullname}-worker`, 600));
    const core = worker.makeApiClient(CoreV1Api);
    const apps = worker.makeApiClient(AppsV1Api);
    const status = (p: Promise<unknown>) =>
      p.then(
        () => 200,
        (e: { code?: number }) => e.code,
      );
    expect(
      await Promise.all([
        status(core.listNamespacedPod({ namespace: other })),
        status(core.listNamespacedEvent({ namespace: other })),
        status(core.listNamespacedConfigMap({ namespace: other })),
        status(core.listNamespacedSecret({ namespace: other })),
        status(apps.listNamespacedDeployment({ namespace: other })),
        status(apps.listNamespacedReplicaSet({ namespace: other })),
      ]),
    ).toEqual([403, 403, 403, 403, 403, 403]);
    expect(await status(core.listNode())).toBe(200);
    expect(await status(core.deleteNode({ name: 'does-not-matter' }))).toBe(403);
  });
});
