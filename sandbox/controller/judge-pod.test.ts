// judgePod: the catalog contract, decided for API-shaped pods without a cluster.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from './catalog.js';
import { judgePod, type ContainerPlan, type PodVerdict } from './judge-pod.js';
import { container, lookupsWith, scheduledPod } from './pod-fixture.js';

const catalog = loadCatalog(resolve(import.meta.dirname, '../catalog/images.yaml'));
const podIP = '10.244.1.7';
const judge = (pod: ReturnType<typeof scheduledPod>, lookups = lookupsWith()): PodVerdict =>
  judgePod(pod, catalog, lookups, { podIP });
const one = (c: Parameters<typeof container>[0], lookups = lookupsWith()): ContainerPlan =>
  judge(scheduledPod([container(c)]), lookups).containers[0]!;
const text = (plan: ContainerPlan) =>
  plan.outcome.kind === 'exits' || plan.outcome.kind === 'runs'
    ? plan.outcome.logs.map((l) => (typeof l === 'string' ? l : l.stderr))
    : [];

describe('judgePod: images', () => {
  it('runs a catalog image with its defaults', () => {
    const v = judge(scheduledPod([container({ image: 'nginx:1.27' })]));
    expect(v).toMatchObject({ verdict: 'run', heals: false });
    expect(v.containers[0]!.pull).toMatchObject({ ok: true, imageRef: 'docker.io/library/nginx:1.27' });
    expect(text(v.containers[0]!)).toContain('{{time:nginx}} [notice] 1#1: nginx/1.27.5');
  });

  it('fails an unknown tag with NotFound and an unknown repository with an authorization error', () => {
    expect(one({ image: 'nginx:1.99' })).toMatchObject({
      verdict: 'image-pull',
      pull: {
        ok: false,
        reason: 'ErrImagePull',
        message:
          'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.99": failed to resolve reference "docker.io/library/nginx:1.99": docker.io/library/nginx:1.99: not found',
      },
    });
    expect(one({ image: 'acme/shopweb:1.4.0' }).pull).toMatchObject({
      ok: false,
      message:
        'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/acme/shopweb:1.4.0": failed to resolve reference "docker.io/acme/shopweb:1.4.0": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    });
  });

  it('treats no tag as latest, so an untagged application image does not exist', () => {
    expect(one({ image: 'acme/shop-web' }).pull).toMatchObject({
      ok: false,
      message: expect.stringContaining(': docker.io/acme/shop-web:latest: not found'),
    });
    expect(one({ image: 'nginx' }).verdict).toBe('run');
  });

  it('reports an unresolvable private registry and an invalid name like the kubelet', () => {
    expect(one({ image: 'registry.internal:5000/shop/web:1' }).pull).toMatchObject({
      message: expect.stringContaining('dial tcp: lookup registry.internal: no such host'),
    });
    expect(one({ image: 'Nginx:1.25' }).pull).toMatchObject({
      reason: 'InvalidImageName',
      message:
        'Failed to apply default image tag "Nginx:1.25": couldn\'t parse image name "Nginx:1.25": invalid reference format: repository name (library/Nginx) must be lowercase',
    });
  });
});

describe('judgePod: private images', () => {
  const billing = 'ghcr.io/acme/billing:3.1.0';
  const dockerConfig = (host: string, username: string) => ({
    '.dockerconfigjson': JSON.stringify({ auths: { [host]: { username, password: 'p', auth: 'x' } } }),
  });
  const pod = (pullSecrets: string[]) =>
    scheduledPod([container({ image: billing })], {
      imagePullSecrets: pullSecrets.map((name) => ({ name })),
    });

  it('refuses a pull without credentials with the registry 401, and heals once a pull secret offers the user', () => {
    const none = judge(pod([]));
    expect(none).toMatchObject({ verdict: 'image-pull', heals: true, missingPullSecrets: [] });
    expect(none.containers[0]!.pull).toEqual({
      ok: false,
      reason: 'ErrImagePull',
      credentials: true,
      message:
        'rpc error: code = Unknown desc = failed to pull and unpack image "ghcr.io/acme/billing:3.1.0": failed to resolve reference "ghcr.io/acme/billing:3.1.0": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Fbilling%3Apull&service=ghcr.io: 401 Unauthorized',
    });
    const ok = lookupsWith({ secrets: { regcred: dockerConfig('https://ghcr.io', 'acme-deploy') } });
    expect(judge(pod(['regcred']), ok).verdict).toBe('run');
  });

  it('names a pull secret that does not exist, and refuses credentials for another user or registry', () => {
    expect(judge(pod(['regcred']))).toMatchObject({ verdict: 'image-pull', missingPullSecrets: ['regcred'] });
    const wrongUser = lookupsWith({ secrets: { regcred: dockerConfig('ghcr.io', 'someone') } });
    expect(judge(pod(['regcred']), wrongUser).containers[0]!.pull).toMatchObject({
      ok: false,
      message: expect.stringContaining(
        'failed to fetch oauth token: unexpected status from POST request to https://ghcr.io/token: 401 Unauthorized',
      ),
    });
    const otherRegistry = lookupsWith({ secrets: { regcred: dockerConfig('quay.io', 'acme-deploy') } });
    expect(judge(pod(['regcred']), otherRegistry).verdict).toBe('image-pull');
  });

  it('reads the legacy .dockercfg and the user inside auth, and ignores a malformed secret', () => {
    const auth = Buffer.from('acme-deploy:token').toString('base64');
    const legacy = lookupsWith({
      secrets: { old: { '.dockercfg': JSON.stringify({ 'ghcr.io': { auth } }) } },
    });
    expect(judge(pod(['old']), legacy).verdict).toBe('run');
    const broken = lookupsWith({ secrets: { bad: { '.dockerconfigjson': '{not json' } } });
    expect(judge(pod(['bad']), broken)).toMatchObject({ verdict: 'image-pull', missingPullSecrets: [] });
  });

  it('pulls a public image even when a named pull secret is missing (the kubelet only warns)', () => {
    const v = judge(
      scheduledPod([container({ image: 'nginx:1.27' })], { imagePullSecrets: [{ name: 'gone' }] }),
    );
    expect(v).toMatchObject({ verdict: 'run', heals: false, missingPullSecrets: ['gone'] });
  });
});

describe('judgePod: processes', () => {
  const db = [{ name: 'DATABASE_URL', value: 'postgres://db:5432/shop' }];

  it('OOM-kills a container whose limit is below the working set, and only then', () => {
    const oom = one({
      image: 'acme/shop-web:1.4.0',
      env: db,
      resources: { limits: { memory: '64Mi' }, requests: { memory: '64Mi' } },
    });
    expect(oom).toMatchObject({
      verdict: 'oom',
      outcome: { kind: 'exits', exitCode: 137, reason: 'OOMKilled' },
    });
    expect(
      one({ image: 'acme/shop-web:1.4.0', env: db, resources: { limits: { memory: '128Mi' } } }).verdict,
    ).toBe('run');
    expect(one({ image: 'acme/shop-web:1.4.0', env: db }).verdict).toBe('run');
  });

  it('exits 1 naming a missing required variable; value, valueFrom and envFrom all count', () => {
    const missing = one({ image: 'acme/shop-web:1.4.0' });
    expect(missing).toMatchObject({
      verdict: 'crash',
      outcome: { kind: 'exits', exitCode: 1, reason: 'Error' },
    });
    expect(text(missing).join('\n')).toContain('missing required environment variable DATABASE_URL');
    const objects = lookupsWith({
      configMaps: { 'app-config': { DATABASE_URL: 'postgres://db/shop' } },
      secrets: { db: { url: 'postgres://db/shop' } },
    });
    expect(
      one(
        {
          image: 'acme/shop-web:1.4.0',
          env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } }],
        },
        objects,
      ).verdict,
    ).toBe('run');
    expect(
      one({ image: 'acme/shop-web:1.4.0', envFrom: [{ configMapRef: { name: 'app-config' } }] }, objects)
        .verdict,
    ).toBe('run');
    expect(one({ image: 'acme/shop-web:1.4.0', env: [{ name: 'DATABASE_URL', value: '' }] }).verdict).toBe(
      'crash',
    );
  });

  it("prints postgres's own message without POSTGRES_PASSWORD, unless auth is trust", () => {
    const pg = one({ image: 'postgres:16' });
    expect(pg.outcome).toMatchObject({ kind: 'exits', exitCode: 1 });
    expect(text(pg)[0]).toBe('Error: Database is uninitialized and superuser password is not specified.');
    expect(
      one({ image: 'postgres:16', env: [{ name: 'POSTGRES_HOST_AUTH_METHOD', value: 'trust' }] }).verdict,
    ).toBe('run');
    expect(one({ image: 'postgres:15', env: [{ name: 'POSTGRES_PASSWORD', value: 's3cret' }] }).verdict).toBe(
      'run',
    );
  });

  it('runs commands: exit N and false fail with their code, loops and sleeps keep running', () => {
    expect(
      one({ image: 'busybox:1.36', command: ['sh', '-c', 'echo starting; exit 3'] }).outcome,
    ).toMatchObject({ kind: 'exits', exitCode: 3, logs: ['starting'] });
    expect(one({ image: 'busybox:1.36', command: ['false'] }).outcome).toMatchObject({
      kind: 'exits',
      exitCode: 1,
    });
    expect(one({ image: 'busybox:1.36', command: ['sleep', '3600'] }).verdict).toBe('run');
    expect(one({ image: 'busybox:1.36', command: ['tail', '-f', '/dev/null'] }).verdict).toBe('run');
    expect(
      one({ image: 'busybox:1.36', command: ['sh', '-c', 'while true; do echo tick; sleep 5; done'] })
        .verdict,
    ).toBe('run');
    expect(one({ image: 'busybox:1.36', args: ['sh', '-c', 'sleep 10; exit 2'] }).outcome).toMatchObject({
      kind: 'exits',
      exitCode: 2,
      seconds: 10,
    });
  });

  it("completes busybox's default `sh` at once: a crash loop under a Deployment, success in a Job", () => {
    expect(one({ image: 'busybox:1.36' })).toMatchObject({
      verdict: 'crash',
      outcome: { kind: 'exits', exitCode: 0, reason: 'Completed' },
    });
    const job = judge(
      scheduledPod([container({ image: 'busybox:1.36', command: ['sh', '-c', 'echo done'] })], {
        restartPolicy: 'Never',
      }),
    );
    expect(job.verdict).toBe('completed');
  });

  it('reports a missing executable as runc does (StartError), a missing command inside sh as the shell does', () => {
    expect(one({ image: 'busybox:1.36', command: ['foo'] }).outcome).toEqual({
      kind: 'start-error',
      message:
        'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "foo": executable file not found in $PATH: unknown',
    });
    expect(one({ image: 'nginx:1.27', command: ['/app/server'] }).outcome).toMatchObject({
      message: expect.stringContaining(
        'exec: "/app/server": stat /app/server: no such file or directory: unknown',
      ),
    });
    expect(one({ image: 'nginx:1.27', command: ['sh', '-c', 'foo --serve'] }).outcome).toMatchObject({
      kind: 'exits',
      exitCode: 127,
      logs: [{ stderr: 'sh: 1: foo: not found' }],
    });
  });

  it('expands $(VAR) in command and args from the container environment', () => {
    const plan = one({
      image: 'busybox:1.36',
      env: [{ name: 'CODE', value: '4' }],
      command: ['sh', '-c', 'exit $(CODE)'],
    });
    expect(plan.outcome).toMatchObject({ kind: 'exits', exitCode: 4 });
  });
});

describe('judgePod: configuration references', () => {
  it('fails CreateContainerConfigError with the kubelet message and heals when the object appears', () => {
    const pod = scheduledPod([
      container({
        image: 'acme/shop-web:1.4.0',
        env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } }],
      }),
    ]);
    expect(judge(pod)).toMatchObject({
      verdict: 'config',
      heals: true,
      containers: [{ outcome: { kind: 'config', message: 'secret "db" not found' } }],
    });
    expect(judge(pod, lookupsWith({ secrets: { db: { url: 'x' } } })).verdict).toBe('run');
  });

  it('names a missing key with namespace/name, and skips optional references', () => {
    const env = [
      { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'LOG_LEVEL' } } },
    ];
    const plan = one(
      { image: 'nginx:1.27', env },
      lookupsWith({ configMaps: { 'app-config': { OTHER: '1' } } }),
    );
    expect(plan.outcome).toEqual({
      kind: 'config',
      message: "couldn't find key LOG_LEVEL in ConfigMap shop/app-config",
    });
    expect(one({ image: 'nginx:1.27', envFrom: [{ configMapRef: { name: 'app-config' } }] }).outcome).toEqual(
      { kind: 'config', message: 'configmap "app-config" not found' },
    );
    expect(
      one({ image: 'nginx:1.27', envFrom: [{ secretRef: { name: 'db', optional: true } }] }).verdict,
    ).toBe('run');
  });

  it('blocks the whole pod on a missing ConfigMap or Secret volume (FailedMount)', () => {
    const pod = scheduledPod([container({ image: 'nginx:1.27' })]);
    pod.spec!.volumes!.push({ name: 'config', configMap: { name: 'app-config' } });
    expect(judge(pod)).toMatchObject({
      verdict: 'mount',
      heals: true,
      mount: {
        volume: 'config',
        message: 'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found',
      },
    });
    pod.spec!.volumes![1] = { name: 'tls', secret: { secretName: 'web-tls' } };
    expect(judge(pod).mount?.message).toBe(
      'MountVolume.SetUp failed for volume "tls" : secret "web-tls" not found',
    );
    pod.spec!.volumes![1] = {
      name: 'bundle',
      projected: { sources: [{ secret: { name: 'bundle-certs' } }] },
    };
    expect(judge(pod).mount?.message).toBe(
      'MountVolume.SetUp failed for volume "bundle" : secret "bundle-certs" not found',
    );
  });
});

describe('judgePod: probes', () => {
  const probe = (kind: 'readinessProbe' | 'livenessProbe', path: string, port: number | string) => ({
    [kind]: {
      httpGet: { path, port, scheme: 'HTTP' },
      periodSeconds: 10,
      failureThreshold: 3,
      timeoutSeconds: 1,
      successThreshold: 1,
    },
  });
  const probes = (plan: ContainerPlan) => (plan.outcome.kind === 'runs' ? plan.outcome.probes : []);

  it('fails an HTTP probe on a closed port with connection refused and on an unknown path with 404', () => {
    const closed = one({ image: 'nginx:1.27', ...probe('readinessProbe', '/', 8080) });
    expect(closed.verdict).toBe('probe-readiness');
    expect(probes(closed)[0]!.message).toBe(
      `Readiness probe failed: Get "http://${podIP}:8080/": dial tcp ${podIP}:8080: connect: connection refused`,
    );
    const notFound = one({ image: 'nginx:1.27', ...probe('livenessProbe', '/healthz', 80) });
    expect(notFound).toMatchObject({ verdict: 'probe-liveness' });
    expect(probes(notFound)[0]).toMatchObject({
      type: 'Liveness',
      message: 'Liveness probe failed: HTTP probe failed with statuscode: 404',
      periodSeconds: 10,
      failureThreshold: 3,
    });
  });

  it('resolves named ports through the container ports and honours the image paths', () => {
    const ok = one({
      image: 'acme/shop-web:1.4.0',
      env: [{ name: 'DATABASE_URL', value: 'x' }],
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      ...probe('readinessProbe', '/ready', 'http'),
      ...probe('livenessProbe', '/healthz', 'http'),
    });
    expect(ok.verdict).toBe('run');
    const moved = one({
      image: 'acme/shop-web:1.4.0',
      env: [
        { name: 'DATABASE_URL', value: 'x' },
        { name: 'PORT', value: '9090' },
      ],
      ...probe('readinessProbe', '/ready', 8080),
    });
    expect(moved.verdict).toBe('probe-readiness');
  });

  it('passes TCP probes only on a listening port', () => {
    const tcp = (port: number) =>
      one({
        image: 'redis:7.2',
        readinessProbe: { tcpSocket: { port }, periodSeconds: 10, failureThreshold: 3 },
      });
    expect(tcp(6379).verdict).toBe('run');
    expect(probes(tcp(6380))[0]!.message).toBe(
      `Readiness probe failed: dial tcp ${podIP}:6380: connect: connection refused`,
    );
  });

  it('runs exec probes inside the image', () => {
    const exec = (command: string[]) =>
      one({
        image: 'redis:7.4',
        livenessProbe: { exec: { command }, periodSeconds: 10, failureThreshold: 3 },
      });
    expect(exec(['sh', '-c', 'true']).verdict).toBe('run');
    expect(probes(exec(['sh', '-c', 'echo unhealthy; exit 1']))[0]!.message).toBe(
      'Liveness probe failed: unhealthy',
    );
    expect(probes(exec(['redis-cli', 'ping']))[0]!.message).toContain(
      'Liveness probe errored and resulted in unknown state',
    );
  });

  it('kills a slow starter whose start-up guard allows less time than it needs, and only then', () => {
    const guard = (failureThreshold: number, initialDelaySeconds = 0) => ({
      httpGet: { path: '/actuator/health/liveness', port: 8080 },
      periodSeconds: 10,
      failureThreshold,
      initialDelaySeconds,
    });
    const ledger = (probes: Partial<Parameters<typeof container>[0]>) =>
      one({ image: 'acme/ledger:4.0.0', ...probes });
    const short = ledger({ startupProbe: guard(3), livenessProbe: guard(3) });
    expect(short.verdict).toBe('probe-startup');
    expect(probes(short)[0]!.message).toBe(
      `Startup probe failed: Get "http://${podIP}:8080/actuator/health/liveness": dial tcp ${podIP}:8080: connect: connection refused`,
    );
    // 6 × 10 s covers the 45 s start; liveness only begins once the startup probe passed.
    expect(ledger({ startupProbe: guard(6), livenessProbe: guard(3) }).verdict).toBe('run');
    expect(ledger({ livenessProbe: guard(3) }).verdict).toBe('probe-liveness');
    expect(ledger({ livenessProbe: guard(3, 20) }).verdict).toBe('run');
    // Readiness never kills: a slow start is only late, not failed.
    expect(ledger({ readinessProbe: guard(1) }).verdict).toBe('run');
  });

  it('lets python -m http.server listen where its argument says', () => {
    const srv = (args: string[]) =>
      one({
        image: 'python:3.12-slim',
        command: ['python', '-m', 'http.server', ...args],
        readinessProbe: { httpGet: { path: '/', port: 8000 } },
      });
    expect(srv([]).verdict).toBe('run');
    expect(srv(['9000']).verdict).toBe('probe-readiness');
  });
});
