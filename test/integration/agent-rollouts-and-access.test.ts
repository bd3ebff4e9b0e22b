// On the sandbox: pulls refused for credentials, a start-up budget too short, a stuck and a paused rollout,
// and a Service left without ready endpoints: the controller's or kubelet's words quoted, the fix or human
// action, and what it does to the cluster read back from the cluster.
import { beforeAll, describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { deployment, waitAvailable, type Kube, useNamespace } from './support/kube.js';
import { diagnoseWhen, quotes } from './support/diagnose-when.js';
import { runCli } from './support/run-cli.js';
import { waitFor } from './support/wait-for.js';

let k: Kube;
let ns: string;
const target = (name: string) => ({ kind: 'Deployment' as const, name, namespace: ns });
const fix = (name: string) =>
  runCli('fix', `deployment/${name}`, { namespace: ns, yes: true }, { AUTOFIX_NAMESPACES: ns });
const read = (name: string) => k.apps.readNamespacedDeployment({ name, namespace: ns });
const patch = (name: string, body: object[]) =>
  k.apps.patchNamespacedDeployment({ name, namespace: ns, body });

const probe = (path: string, port: number, failureThreshold = 3) => ({
  httpGet: { path, port },
  periodSeconds: 10,
  failureThreshold,
});

function billing(): V1Deployment {
  const d = deployment('billing', { image: 'ghcr.io/acme/billing:3.1.0', ports: [{ containerPort: 8080 }] });
  d.spec!.template.spec!.imagePullSecrets = [{ name: 'regcred' }];
  return d;
}

function ledger(): V1Deployment {
  return deployment('ledger', {
    image: 'acme/ledger:4.0.0',
    ports: [{ name: 'http', containerPort: 8080 }],
    startupProbe: probe('/actuator/health/liveness', 8080),
    livenessProbe: probe('/actuator/health/liveness', 8080),
  });
}

/** A healthy Deployment, then `release` applied as a JSON patch (someone else's change). */
async function released(body: V1Deployment, release: object[]): Promise<void> {
  await k.apps.createNamespacedDeployment({ namespace: ns, body });
  await waitAvailable(k, ns, body.metadata!.name!);
  await patch(body.metadata!.name!, release);
}

async function readyEndpoints(service: string): Promise<number> {
  const slices = await k.discovery.listNamespacedEndpointSlice({
    namespace: ns,
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  return slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready === true).length;
}

useNamespace('rollouts', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  const stuck = deployment('stuck', { image: 'nginx:1.27' }, { replicas: 2 });
  stuck.spec!.progressDeadlineSeconds = 10;
  const site = deployment('site', { image: 'nginx:1.27', readinessProbe: probe('/', 80) });
  site.spec!.strategy = { type: 'Recreate' };
  await k.core.createNamespacedService({
    namespace: ns,
    body: { metadata: { name: 'site' }, spec: { selector: { app: 'site' }, ports: [{ port: 80 }] } },
  });
  await Promise.all([
    k.apps.createNamespacedDeployment({ namespace: ns, body: billing() }),
    k.apps.createNamespacedDeployment({ namespace: ns, body: ledger() }),
    released(stuck, [
      { op: 'add', path: '/spec/template/spec/containers/0/readinessProbe', value: probe('/healthz', 80) },
    ]),
    released(deployment('paused', { image: 'nginx:1.27' }), [
      { op: 'add', path: '/spec/paused', value: true },
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.28' },
    ]),
    (async () => {
      await k.apps.createNamespacedDeployment({ namespace: ns, body: site });
      await waitFor(async () => (await readyEndpoints('site')) > 0, { what: 'Service site ready' });
      await patch('site', [
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/readinessProbe/httpGet/path',
          value: '/healthz',
        },
      ]);
    })(),
  ]);
}, 240_000);

describe('pulls refused for credentials', () => {
  it("quotes the registry's 401 and the missing pull secret, changes nothing, and creating that secret heals it", async () => {
    const { findings, diagnosis } = await diagnoseWhen(target('billing'), (fs) =>
      quotes(fs).includes('Unable to retrieve some image pull secrets (regcred)'),
    );
    expect(diagnosis.category).toBe('image_pull');
    expect(quotes(findings)).toContain('failed to fetch anonymous token');
    expect(quotes(findings)).toContain('401 Unauthorized');
    expect(diagnosis.change).toBeNull();
    expect(diagnosis.humanAction).toContain('create the pull secret `regcred`');
    const before = (await read('billing')).metadata!.generation;
    const r = await fix('billing');
    expect(r.json.outcome).toBe('no_safe_fix');
    expect((await read('billing')).metadata!.generation).toBe(before);
    // The person does what the action says; the kubelet's next pull uses it.
    const auths = { 'ghcr.io': { username: 'acme-deploy', password: 'ghp_example' } };
    await k.core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'regcred' },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': JSON.stringify({ auths }) },
      },
    });
    await waitAvailable(k, ns, 'billing');
  }, 240_000);
});

describe('a start-up budget too short for a slow start', () => {
  it('quotes the startup probe, raises its budget within the cap, and the app starts', async () => {
    const { findings, diagnosis } = await diagnoseWhen(target('ledger'));
    expect(diagnosis.category).toBe('probe_failure');
    expect(quotes(findings)).toMatch(
      /Startup probe failed: Get "http:\/\/[\d.]+:8080\/actuator\/health\/liveness": .*connection refused/,
    );
    expect(diagnosis.change?.patch).toEqual([
      { op: 'replace', path: '/spec/template/spec/containers/0/startupProbe/failureThreshold', value: 6 },
    ]);
    const r = await fix('ledger');
    expect(r.json.outcome).toBe('fixed');
    const live = await waitAvailable(k, ns, 'ledger', 120_000);
    expect(live.spec!.template.spec!.containers[0]!.startupProbe!.failureThreshold).toBe(6);
  }, 300_000);
});

describe('rollouts that stopped', () => {
  it('past progressDeadlineSeconds: the controller quoted, the release rolled back', async () => {
    const { findings, diagnosis } = await diagnoseWhen(target('stuck'), (fs) =>
      fs.some((f) => f.facts.rollout === 'progress_deadline_exceeded'),
    );
    expect(quotes(findings)).toMatch(
      /Progressing=False ProgressDeadlineExceeded: ReplicaSet "stuck-[a-z0-9]+" has timed out progressing/,
    );
    expect(diagnosis.change).not.toBeNull();
    const r = await fix('stuck');
    expect(r.json.outcome).toBe('fixed');
    const live = await waitAvailable(k, ns, 'stuck');
    expect(live.spec!.template.spec!.containers[0]!.readinessProbe).toBeUndefined();
  }, 240_000);

  it('paused: says so with the command to resume, and changes nothing', async () => {
    const { findings, diagnosis } = await diagnoseWhen(target('paused'), (fs) =>
      fs.some((f) => f.facts.rollout === 'paused'),
    );
    expect(quotes(findings)).toContain('spec.paused: true');
    expect(quotes(findings)).toContain('DeploymentPaused');
    expect(diagnosis.change).toBeNull();
    expect(diagnosis.humanAction).toContain(`kubectl rollout resume deployment/paused -n ${ns}`);
    const before = await read('paused');
    const r = await fix('paused');
    expect(r.json.outcome).toBe('no_safe_fix');
    const after = await read('paused');
    expect(after.metadata!.generation).toBe(before.metadata!.generation);
    expect(after.spec!.paused).toBe(true);
  }, 180_000);
});

describe('a Service without ready endpoints ("the site is down")', () => {
  it('names the Service and the failing readiness probe, and the rollback brings an endpoint back', async () => {
    const { findings, diagnosis } = await diagnoseWhen(target('site'), (fs) =>
      fs.some((f) => f.analyzer === 'serviceEndpoints'),
    );
    expect(quotes(findings)).toContain('Service site selector app=site: 0 ready endpoints');
    expect(quotes(findings)).toContain('Readiness probe failed: HTTP probe failed with statuscode: 404');
    expect(diagnosis.category).toBe('probe_failure');
    const r = await fix('site');
    expect(r.json.outcome).toBe('fixed');
    await waitFor(async () => (await readyEndpoints('site')) > 0, { what: 'Service site ready again' });
  }, 240_000);
});
