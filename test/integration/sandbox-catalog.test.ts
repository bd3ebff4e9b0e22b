// The image catalog contract on the real sandbox: every failure as a user sees it (get, describe, logs).
import { beforeAll, describe, expect, it } from 'vitest';
import { DiscoveryV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { deployment, waitAvailable, type Kube, useNamespace } from './support/kube.js';
import { condition, eventsOf, logsOf, waitEvent, waitPod } from './support/observe.js';
import { waitFor } from './support/wait-for.js';

let k: Kube;
let ns: string;
const db = [{ name: 'DATABASE_URL', value: 'postgres://db:5432/shop' }];
const httpProbe = (path: string, port: number | string, periodSeconds = 2) => ({
  httpGet: { path, port },
  periodSeconds,
  failureThreshold: 3,
});

/** All broken workloads start at once; each test then waits for what it asserts. */
const workloads = {
  'bad-tag': deployment('bad-tag', { image: 'nginx:1.99' }),
  'bad-repo': deployment('bad-repo', { image: 'acme/shopweb:1.4.0' }),
  oom: deployment('oom', {
    image: 'acme/shop-web:1.4.0',
    env: db,
    resources: { limits: { memory: '64Mi' } },
  }),
  'no-env': deployment('no-env', { image: 'acme/shop-web:1.4.0' }),
  'pg-nopass': deployment('pg-nopass', { image: 'postgres:16' }),
  'exit-3': deployment('exit-3', { image: 'busybox:1.36', command: ['sh', '-c', 'echo starting; exit 3'] }),
  'cmd-false': deployment('cmd-false', { image: 'busybox:1.36', command: ['false'] }),
  'no-exec': deployment('no-exec', { image: 'busybox:1.36', command: ['foo'] }),
  'bb-default': deployment('bb-default', { image: 'busybox:1.36' }),
  'ready-404': deployment('ready-404', { image: 'nginx:1.27', readinessProbe: httpProbe('/healthz', 80) }),
  'ready-port': deployment('ready-port', { image: 'nginx:1.27', readinessProbe: httpProbe('/', 8080) }),
  'tcp-port': deployment('tcp-port', {
    image: 'redis:7.2',
    readinessProbe: { tcpSocket: { port: 6380 }, periodSeconds: 2 },
  }),
  liveness: deployment('liveness', { image: 'nginx:1.27', livenessProbe: httpProbe('/', 8080, 1) }),
  'cm-key': deployment('cm-key', {
    image: 'nginx:1.27',
    env: [{ name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'LOG_LEVEL' } } }],
  }),
  'cm-missing': deployment('cm-missing', {
    image: 'nginx:1.27',
    envFrom: [{ configMapRef: { name: 'feature-flags' } }],
  }),
  'secret-heals': deployment('secret-heals', {
    image: 'acme/shop-web:1.4.0',
    env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } }],
  }),
  'vol-heals': volumeDeployment(),
  multi: multiContainerDeployment(),
  // Healthy workloads: defaults, env, limits above the working set, named ports, TCP and HTTP probes.
  'ok-nginx': deployment(
    'ok-nginx',
    {
      image: 'nginx:1.27',
      ports: [{ name: 'http', containerPort: 80 }],
      readinessProbe: httpProbe('/', 'http'),
    },
    { replicas: 2 },
  ),
  'ok-shop': deployment('ok-shop', {
    image: 'acme/shop-web:1.5.0',
    env: [...db, { name: 'SESSION_SECRET', value: 'x' }],
    resources: { limits: { memory: '256Mi' } },
    ports: [{ name: 'http', containerPort: 8080 }],
    readinessProbe: httpProbe('/ready', 'http'),
    livenessProbe: httpProbe('/healthz', 8080),
  }),
  'ok-redis': deployment('ok-redis', {
    image: 'redis:7.4',
    readinessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 2 },
  }),
  'ok-python': deployment('ok-python', {
    image: 'python:3.12-slim',
    command: ['python', '-m', 'http.server', '8000'],
    readinessProbe: httpProbe('/', 8000),
  }),
  'ok-sleep': deployment('ok-sleep', {
    image: 'busybox:1.36',
    command: ['sh', '-c', 'while true; do echo tick; sleep 5; done'],
  }),
};

function volumeDeployment() {
  const d = deployment('vol-heals', {
    image: 'nginx:1.27',
    volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
  });
  d.spec!.template.spec!.volumes = [{ name: 'config', configMap: { name: 'web-config' } }];
  return d;
}

/** An init container, a healthy container and a crashing one: each has its own state and logs. */
function multiContainerDeployment() {
  const d = deployment('multi', { image: 'nginx:1.27' });
  const spec = d.spec!.template.spec!;
  spec.initContainers = [{ name: 'setup', image: 'busybox:1.36', command: ['sh', '-c', 'echo setup done'] }];
  spec.containers = [
    { name: 'web', image: 'nginx:1.27' },
    { name: 'worker', image: 'busybox:1.36', command: ['sh', '-c', 'echo tick; exit 2'] },
  ];
  return d;
}

useNamespace('catalog', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  await k.core.createNamespacedConfigMap({
    namespace: ns,
    body: { metadata: { name: 'app-config' }, data: { OTHER: '1' } },
  });
  await Promise.all(
    Object.values(workloads).map((body) => k.apps.createNamespacedDeployment({ namespace: ns, body })),
  );
});

const backOff = (pod: V1Pod) =>
  new RegExp(
    `^back-off (10s|20s|40s|1m20s|2m40s|5m0s) restarting failed container=app pod=${pod.metadata!.name}_${ns}\\(${pod.metadata!.uid}\\)$`,
  );

describe('images that cannot be pulled', () => {
  it('an unknown tag: ErrImagePull then ImagePullBackOff, Pending, with the kubelet events', async () => {
    const pod = await waitPod(
      k,
      ns,
      'bad-tag',
      'ImagePullBackOff',
      (_p, s) => s?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    const pullError =
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.99": failed to resolve reference "docker.io/library/nginx:1.99": docker.io/library/nginx:1.99: not found';
    expect(pod.status?.phase).toBe('Pending');
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.message).toBe(
      `Back-off pulling image "nginx:1.99": ErrImagePull: ${pullError}`,
    );
    await waitEvent(k, ns, pod, (e) => e.reason === 'BackOff' && (e.count ?? 0) >= 2, 'BackOff repeated');
    const events = await eventsOf(k, ns, pod);
    const seen = events.map((e) => `${e.type} ${e.reason} ${e.message}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        'Normal Pulling Pulling image "nginx:1.99"',
        `Warning Failed Failed to pull image "nginx:1.99": ${pullError}`,
        'Warning Failed Error: ErrImagePull',
        'Normal BackOff Back-off pulling image "nginx:1.99"',
        'Warning Failed Error: ImagePullBackOff',
      ]),
    );
    const pulling = events.find((e) => e.reason === 'Pulling')!;
    expect(pulling.source).toEqual({ component: 'kubelet', host: pod.spec?.nodeName });
    expect(pulling.involvedObject).toMatchObject({
      kind: 'Pod',
      name: pod.metadata?.name,
      uid: pod.metadata?.uid,
      fieldPath: 'spec.containers{app}',
    });
  });

  it('an unknown repository: pull access denied', async () => {
    const pod = await waitPod(k, ns, 'bad-repo', 'ErrImagePull', (_p, s) =>
      /ErrImagePull|ImagePullBackOff/.test(s?.state?.waiting?.reason ?? ''),
    );
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.message).toContain(
      'failed to resolve reference "docker.io/acme/shopweb:1.4.0": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    );
  });
});

describe('containers that crash', () => {
  it('a memory limit below the working set: OOMKilled 137, growing restarts and back-off', async () => {
    const pod = await waitPod(
      k,
      ns,
      'oom',
      'CrashLoopBackOff after 2 restarts',
      (_p, s) => (s?.restartCount ?? 0) >= 2 && s?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    const s = pod.status!.containerStatuses![0]!;
    expect(s.lastState?.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(s.state?.waiting?.message).toMatch(backOff(pod));
    expect(s.state?.waiting?.message).not.toContain('back-off 10s');
    expect(pod.status?.phase).toBe('Running');
    expect(condition(pod, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [app]',
    });
    const events = await eventsOf(k, ns, pod);
    expect(events.find((e) => e.reason === 'BackOff')?.message).toBe(
      `Back-off restarting failed container app in pod ${pod.metadata!.name}_${ns}(${pod.metadata!.uid})`,
    );
    expect(events.find((e) => e.reason === 'Started')?.count ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('a missing required variable: exit 1, named in the previous logs', async () => {
    const pod = await waitPod(
      k,
      ns,
      'no-env',
      'restarted',
      (_p, s) => (s?.restartCount ?? 0) >= 1 && s?.lastState?.terminated !== undefined,
    );
    expect(pod.status!.containerStatuses![0]!.lastState?.terminated).toMatchObject({
      exitCode: 1,
      reason: 'Error',
    });
    expect(await logsOf(k, ns, pod, true)).toContain('missing required environment variable DATABASE_URL');
  });

  it("postgres without POSTGRES_PASSWORD: postgres's own message and exit 1", async () => {
    const pod = await waitPod(
      k,
      ns,
      'pg-nopass',
      'restarted',
      (_p, s) => (s?.restartCount ?? 0) >= 1 && s?.lastState?.terminated !== undefined,
    );
    expect(pod.status!.containerStatuses![0]!.lastState?.terminated?.exitCode).toBe(1);
    const previous = await logsOf(k, ns, pod, true);
    expect(previous).toContain('Error: Database is uninitialized and superuser password is not specified.');
    expect(previous).toContain('You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all');
  });

  it('a command that runs `exit 3` or `false` fails with that code', async () => {
    const exit3 = await waitPod(
      k,
      ns,
      'exit-3',
      'restarted',
      (_p, s) => s?.lastState?.terminated !== undefined,
    );
    expect(exit3.status!.containerStatuses![0]!.lastState?.terminated?.exitCode).toBe(3);
    expect(await logsOf(k, ns, exit3, true)).toBe('starting\n');
    const fals = await waitPod(
      k,
      ns,
      'cmd-false',
      'restarted',
      (_p, s) => s?.lastState?.terminated !== undefined,
    );
    expect(fals.status!.containerStatuses![0]!.lastState?.terminated?.exitCode).toBe(1);
  });

  it("an executable the image does not have: StartError 128 with runc's message", async () => {
    const pod = await waitPod(
      k,
      ns,
      'no-exec',
      'CrashLoopBackOff',
      (_p, s) => s?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    const message =
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "foo": executable file not found in $PATH: unknown';
    expect(pod.status!.containerStatuses![0]!.lastState?.terminated).toMatchObject({
      reason: 'StartError',
      exitCode: 128,
      message,
    });
    await waitEvent(
      k,
      ns,
      pod,
      (e) => e.type === 'Warning' && e.reason === 'Failed' && e.message === `Error: ${message}`,
      'Failed StartError',
    );
  });

  it("busybox's default `sh` exits 0 at once: Completed, then CrashLoopBackOff", async () => {
    const pod = await waitPod(
      k,
      ns,
      'bb-default',
      'CrashLoopBackOff',
      (_p, s) => s?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    expect(pod.status!.containerStatuses![0]!.lastState?.terminated).toMatchObject({
      reason: 'Completed',
      exitCode: 0,
    });
  });
});

describe('pods with several containers', () => {
  it('run init containers first, then each container on its own, with its own logs', async () => {
    const pod = await waitPod(k, ns, 'multi', 'worker restarted', (p) => {
      const worker = p.status?.containerStatuses?.find((c) => c.name === 'worker');
      return worker?.lastState?.terminated !== undefined && worker.restartCount >= 1;
    });
    expect(pod.status?.initContainerStatuses?.[0]).toMatchObject({
      name: 'setup',
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    const web = pod.status!.containerStatuses!.find((c) => c.name === 'web')!;
    expect(web).toMatchObject({ ready: true, restartCount: 0, state: { running: expect.any(Object) } });
    expect(condition(pod, 'Ready')).toMatchObject({
      status: 'False',
      message: 'containers with unready status: [worker]',
    });
    expect(await logsOf(k, ns, pod, false, 'setup')).toBe('setup done\n');
    expect(await logsOf(k, ns, pod, false, 'web')).toContain('Configuration complete; ready for start up');
    expect(await logsOf(k, ns, pod, true, 'worker')).toBe('tick\n');
  });
});

describe('probes', () => {
  it('readiness on a path the image does not serve: Running, not Ready, Unhealthy 404 repeating', async () => {
    const pod = await waitPod(k, ns, 'ready-404', 'running', (p) => p.status?.phase === 'Running');
    const event = await waitEvent(
      k,
      ns,
      pod,
      (e) => e.reason === 'Unhealthy' && (e.count ?? 0) >= 3,
      'Unhealthy x3',
    );
    expect(event).toMatchObject({
      type: 'Warning',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 404',
    });
    const now = await waitPod(k, ns, 'ready-404', 'still unready', (p) => p.status?.phase === 'Running');
    expect(now.status!.containerStatuses![0]).toMatchObject({ ready: false, started: true, restartCount: 0 });
    expect(condition(now, 'ContainersReady')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [app]',
    });
  });

  it('readiness on a port nothing listens on: connection refused at the pod IP', async () => {
    const pod = await waitPod(
      k,
      ns,
      'ready-port',
      'has an IP',
      (p) => p.status?.podIP !== undefined && p.status.phase === 'Running',
    );
    const ip = pod.status!.podIP!;
    await waitEvent(
      k,
      ns,
      pod,
      (e) =>
        e.message ===
        `Readiness probe failed: Get "http://${ip}:8080/": dial tcp ${ip}:8080: connect: connection refused`,
      'connection refused',
    );
  });

  it('a TCP probe on a port the image does not listen on fails', async () => {
    const pod = await waitPod(
      k,
      ns,
      'tcp-port',
      'has an IP',
      (p) => p.status?.podIP !== undefined && p.status.phase === 'Running',
    );
    const ip = pod.status!.podIP!;
    await waitEvent(
      k,
      ns,
      pod,
      (e) => e.message === `Readiness probe failed: dial tcp ${ip}:6380: connect: connection refused`,
      'tcp refused',
    );
  });

  it('liveness failing: Unhealthy, Killing, restarts with lastState, eventually CrashLoopBackOff', async () => {
    const pod = await waitPod(
      k,
      ns,
      'liveness',
      'CrashLoopBackOff',
      (_p, s) => s?.state?.waiting?.reason === 'CrashLoopBackOff',
      90_000,
    );
    expect(pod.status!.containerStatuses![0]!.restartCount).toBeGreaterThanOrEqual(1);
    expect(pod.status!.containerStatuses![0]!.lastState?.terminated).toBeDefined();
    const messages = (await eventsOf(k, ns, pod)).map((e) => `${e.type} ${e.reason} ${e.message}`);
    expect(messages).toContain('Normal Killing Container app failed liveness probe, will be restarted');
    expect(
      messages.some((m) =>
        m.startsWith(`Warning Unhealthy Liveness probe failed: Get "http://${pod.status!.podIP}:8080/"`),
      ),
    ).toBe(true);
  });
});

describe('configuration references', () => {
  it('a missing key, a missing ConfigMap: CreateContainerConfigError with the kubelet message', async () => {
    const key = await waitPod(
      k,
      ns,
      'cm-key',
      'config error',
      (_p, s) => s?.state?.waiting?.reason === 'CreateContainerConfigError',
    );
    expect(key.status!.containerStatuses![0]!.state?.waiting?.message).toBe(
      `couldn't find key LOG_LEVEL in ConfigMap ${ns}/app-config`,
    );
    expect(key.status?.phase).toBe('Pending');
    const cm = await waitPod(
      k,
      ns,
      'cm-missing',
      'config error',
      (_p, s) => s?.state?.waiting?.reason === 'CreateContainerConfigError',
    );
    expect(cm.status!.containerStatuses![0]!.state?.waiting?.message).toBe(
      'configmap "feature-flags" not found',
    );
    await waitEvent(
      k,
      ns,
      cm,
      (e) => e.reason === 'Failed' && e.message === 'Error: configmap "feature-flags" not found',
      'Failed config',
    );
  });

  it('a missing Secret heals when it is created: the pod starts and the Deployment becomes Available', async () => {
    const pod = await waitPod(
      k,
      ns,
      'secret-heals',
      'config error',
      (_p, s) => s?.state?.waiting?.message === 'secret "db" not found',
    );
    expect(pod.metadata?.annotations?.['sandbox.kube-autofix.dev/verdict']).toBe('config');
    await k.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'db' }, stringData: { url: 'postgres://db:5432/shop' } },
    });
    await waitAvailable(k, ns, 'secret-heals', 60_000);
  });

  it('a missing ConfigMap volume: ContainerCreating with FailedMount, no IP, until it exists', async () => {
    const pod = await waitPod(
      k,
      ns,
      'vol-heals',
      'ContainerCreating',
      (_p, s) => s?.state?.waiting?.reason === 'ContainerCreating',
    );
    const event = await waitEvent(k, ns, pod, (e) => e.reason === 'FailedMount', 'FailedMount');
    expect(event).toMatchObject({
      type: 'Warning',
      message: 'MountVolume.SetUp failed for volume "config" : configmap "web-config" not found',
    });
    expect(event.involvedObject.fieldPath).toBeUndefined();
    expect(pod.status?.podIP).toBeUndefined();
    await k.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'web-config' }, data: { 'app.conf': 'x' } },
    });
    await waitAvailable(k, ns, 'vol-heals', 60_000);
  });
});

describe('healthy workloads', () => {
  it.each(['ok-nginx', 'ok-shop', 'ok-redis', 'ok-python', 'ok-sleep'])(
    '%s becomes Available',
    async (name) => {
      await waitAvailable(k, ns, name, 60_000);
    },
  );

  it('logs show the image start-up lines, and pods get IPs that fill the EndpointSlice', async () => {
    const pod = await waitPod(k, ns, 'ok-nginx', 'ready', (p) => condition(p, 'Ready')?.status === 'True');
    const logs = await logsOf(k, ns, pod);
    expect(logs).toContain('/docker-entrypoint.sh: Configuration complete; ready for start up');
    expect(logs).toMatch(/\[notice\] 1#1: nginx\/1\.27\.\d+/);
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({
      image: 'docker.io/library/nginx:1.27',
      imageID: expect.stringMatching(/^docker\.io\/library\/nginx@sha256:/),
    });
    await k.core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'ok-nginx' },
        spec: { selector: { app: 'ok-nginx' }, ports: [{ port: 80, targetPort: 'http' }] },
      },
    });
    const kc = new KubeConfig();
    kc.loadFromFile(k.kubeconfig);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const slice = await waitFor(
      async () =>
        (
          await discovery.listNamespacedEndpointSlice({
            namespace: ns,
            labelSelector: 'kubernetes.io/service-name=ok-nginx',
          })
        ).items.find((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready).length === 2),
      { what: 'EndpointSlice with 2 ready endpoints', timeoutMs: 30_000 },
    );
    expect(slice.endpoints?.every((e) => /^10\.244\.\d+\.\d+$/.test(e.addresses[0] ?? ''))).toBe(true);
  });
});
