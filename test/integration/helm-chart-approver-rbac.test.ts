// The chart's RBAC for AUTOFIX_APPLY_AS=approver, applied to the real API server: the worker account cannot
// patch by itself, may patch only as a mapped approver whose own Role allows it, and impersonates no one else.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { serviceAccountKubeconfig } from '../../sandbox/mint-kubeconfig.js';
import { isCodedError } from '../../src/domain/index.js';
import { createKubeCluster } from '../../src/k8s/kube-cluster.js';
import { EXTRA_KEYS } from '../../src/k8s/impersonation.js';
import type { Cluster } from '../../src/k8s/cluster.js';
import { renderChart } from './support/helm.js';
import { bind, ensureTestRoles, writeTemp } from './support/identities.js';
import { brokenDeployment } from './support/slack-flow.js';
import { useNamespace, type Kube } from './support/kube.js';

let k: Kube;
let shop: string;
let releaseNs: string;
let worker: Cluster;
const release = `ka-${randomBytes(3).toString('hex')}`;
const applied: KubernetesObject[] = [];

useNamespace('chart-appr', (kube, name) => ([k, releaseNs] = [kube, name]));
useNamespace('chart-appr-shop', (_kube, name) => (shop = name));

const objects = (): KubernetesObjectApi => {
  const kc = new KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  return KubernetesObjectApi.makeApiClient(kc);
};

beforeAll(async () => {
  // ci/approver-values.yaml maps priya@example.com (and sam@, lee@ by e-mail) — the sandbox's test users.
  const rendered = await renderChart(['ci/approver-values.yaml'], {
    release,
    namespace: releaseNs,
    set: [`namespaces={${shop}}`],
  });
  const rbac = rendered.filter((o) =>
    ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind!),
  );
  const api = objects();
  for (const o of rbac) {
    const obj = {
      ...o,
      metadata: {
        ...o.metadata,
        namespace: o.metadata?.namespace ?? (o.kind!.startsWith('Cluster') ? undefined : releaseNs),
      },
    };
    await api.create(obj);
    applied.push(obj);
  }
  await ensureTestRoles(k);
  await bind(k, shop, 'priya', 'editor');
  await brokenDeployment(k, shop, 'web');
  const kc = new KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  const sa = `${release}-kube-autofix-worker`;
  worker = createKubeCluster({
    kubeconfig: writeTemp('chart-worker', await serviceAccountKubeconfig(kc, releaseNs, sa, 600)),
  });
}, 180_000);
afterAll(async () => {
  const api = objects();
  for (const o of applied.filter((x) => x.kind!.startsWith('Cluster')))
    await api.delete(o).catch(() => undefined);
});

const target = () => ({ kind: 'Deployment' as const, name: 'web', namespace: shop });
const fix = [{ op: 'replace' as const, path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' }];
const guard = async () => {
  const live = (await worker.getWorkload(target()))!;
  const meta = live.metadata as { uid: string; generation: number };
  return { uid: meta.uid, generation: meta.generation };
};
const extra = { [EXTRA_KEYS.proposal]: ['p-chart'], [EXTRA_KEYS.step]: ['dry-run'] };

describe("the chart's approver-mode worker account on the real API server", () => {
  it('reads, but is forbidden to patch with its own token', async () => {
    const err = await worker
      .patchWorkload(target(), fix, { ...(await guard()), dryRun: true })
      .catch((e) => e);
    expect(isCodedError(err) && err.code).toBe('FORBIDDEN');
    expect(String((err as Error).message)).toMatch(/cannot patch resource "deployments" in API group "apps"/);
  });

  it('patches as a mapped approver whose own Role allows it, and asks the authorizer', async () => {
    const priya = { user: 'priya@example.com', groups: ['sre'], extra };
    const res = await worker.as(priya).patchWorkload(target(), fix, { ...(await guard()), dryRun: true });
    expect(res.ok).toBe(true);
    const review = await worker.reviewAccess(priya, {
      verb: 'patch',
      group: 'apps',
      resource: 'deployments',
      namespace: shop,
      name: 'web',
    });
    expect(review.allowed).toBe(true);
  });

  it('impersonates no one the identities do not map, and no extra key of its own choosing', async () => {
    const mallory = { user: 'mallory@example.com', groups: [], extra };
    const err = await worker
      .as(mallory)
      .patchWorkload(target(), fix, { ...(await guard()), dryRun: true })
      .catch((e) => e);
    expect(String((err as Error).message)).toMatch(/cannot impersonate resource "users"/);
    const admins = { user: 'priya@example.com', groups: ['system:masters'], extra };
    const masters = await worker
      .as(admins)
      .getWorkload(target())
      .catch((e) => e);
    expect(String((masters as Error).message)).toMatch(/cannot impersonate resource "groups"/);
    const other = { user: 'priya@example.com', groups: ['sre'], extra: { scopes: ['x'] } };
    const scoped = await worker
      .as(other)
      .getWorkload(target())
      .catch((e) => e);
    expect(String((scoped as Error).message)).toMatch(/cannot impersonate resource "userextras\/scopes"/);
  });
});
