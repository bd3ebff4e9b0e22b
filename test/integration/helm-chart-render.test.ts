// The Helm chart offline: lint, render with default/full/Socket Mode values, schema and template refusals.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type {
  KubernetesObject,
  V1ConfigMap,
  V1Deployment,
  V1Ingress,
  V1NetworkPolicy,
  V1Role,
} from '@kubernetes/client-node';
import { CHART_DIR, helm, renderChart } from './support/helm.js';

const ROOT = resolve(import.meta.dirname, '../..');
const VALUES = [
  'ci/default-values.yaml',
  'ci/full-values.yaml',
  'ci/socket-mode-values.yaml',
  'ci/worker-mode-values.yaml',
  'ci/approver-values.yaml',
];

const kinds = (objs: KubernetesObject[]): string[] => objs.map((o) => o.kind!).sort();
const find = <T extends KubernetesObject>(objs: KubernetesObject[], kind: string, name?: RegExp): T[] =>
  objs.filter((o) => o.kind === kind && (!name || name.test(o.metadata?.name ?? ''))) as T[];
const deploymentOf = (objs: KubernetesObject[], component: string): V1Deployment =>
  find<V1Deployment>(objs, 'Deployment').find(
    (d) => d.metadata?.labels?.['app.kubernetes.io/component'] === component,
  )!;

/** Every variable the app reads, from the one module that reads the environment. */
function configVariables(): string[] {
  const src = readFileSync(resolve(ROOT, 'src/config/config.ts'), 'utf8');
  // `env.NAME`, or a helper given the name: intVar(env, 'NAME', …), boolVar(env, 'NAME').
  const names = [...src.matchAll(/env(?:\.|,\s*')([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!);
  return [...new Set(names)].sort();
}

/** Names a pod of this render can see: the ConfigMap's keys and each container's env. */
function settableVariables(objs: KubernetesObject[]): Set<string> {
  const names = new Set<string>();
  for (const cm of find<V1ConfigMap>(objs, 'ConfigMap'))
    for (const k of Object.keys(cm.data ?? {})) names.add(k);
  for (const d of find<V1Deployment>(objs, 'Deployment'))
    for (const c of d.spec!.template.spec!.containers) for (const e of c.env ?? []) names.add(e.name);
  return names;
}

describe('helm lint', () => {
  it.each(VALUES)('passes --strict with %s', async (file) => {
    const r = await helm(['lint', '--strict', CHART_DIR, '--values', `${CHART_DIR}/${file}`]);
    expect(r.stderr + r.stdout).not.toMatch(/\[(ERROR|WARNING)\]/);
    expect(r.code).toBe(0);
  });
});

describe('helm template', () => {
  it('default values: bot, workers, bundled Redis, one Role per namespace, NetworkPolicies, no Ingress', async () => {
    const objs = await renderChart(['ci/default-values.yaml']);
    expect(kinds(objs)).toEqual(
      [
        'ClusterRole',
        'ClusterRoleBinding',
        'ConfigMap',
        'Deployment',
        'Deployment',
        'NetworkPolicy',
        'NetworkPolicy',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Role',
        'RoleBinding',
        'Secret',
        'Service',
        'Service',
        'Service',
        'ServiceAccount',
        'ServiceAccount',
        'StatefulSet',
      ].sort(),
    );
    const bot = deploymentOf(objs, 'bot');
    expect(bot.spec!.template.spec!.automountServiceAccountToken).toBe(false);
    expect(bot.spec!.template.spec!.containers[0]!.args).toEqual(['bot']);
    const env = bot.spec!.template.spec!.containers[0]!.env!.map((e) => e.name);
    expect(env).toContain('SLACK_SIGNING_SECRET');
    expect(env).not.toContain('SLACK_APP_TOKEN');
    expect(env).not.toContain('OPENAI_API_KEY');
    // Only the worker account is bound to anything.
    const subjects = [...find(objs, 'RoleBinding'), ...find(objs, 'ClusterRoleBinding')].flatMap(
      (b) => (b as { subjects: Array<{ name: string }> }).subjects,
    );
    expect(new Set(subjects.map((s) => s.name))).toEqual(new Set(['autofix-kube-autofix-worker']));
    const cm = find<V1ConfigMap>(objs, 'ConfigMap')[0]!;
    expect(cm.data).toMatchObject({
      AUTOFIX_NAMESPACES: 'shop',
      AUTOFIX_APPROVERS: 'U024BE7LH',
      REDIS_URL: 'redis://autofix-kube-autofix-redis:6379',
    });
    const redis = find<
      KubernetesObject & { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } }
    >(objs, 'StatefulSet')[0]!;
    expect(redis.spec.template.spec.containers[0]!.args.join(' ')).toMatch(
      /--appendonly yes --maxmemory-policy noeviction/,
    );
  });

  it('full values: every value lands where it should', async () => {
    const objs = await renderChart(['ci/full-values.yaml']);
    expect(find(objs, 'StatefulSet')).toHaveLength(0);
    // Only the alerts token (and its copy beside the AlertmanagerConfig): every other credential is an existingSecret.
    expect(
      find(objs, 'Secret').map((s) => `${s.metadata!.namespace ?? '(release)'}/${s.metadata!.name}`),
    ).toEqual(['(release)/autofix-full-alerts', 'monitoring/autofix-full-alerts']);
    expect(find(objs, 'ServiceMonitor')).toHaveLength(1);
    expect(
      find(objs, 'Role')
        .map((r) => r.metadata!.namespace)
        .sort(),
    ).toEqual(['payments', 'shop']);
    const ingress = find<V1Ingress>(objs, 'Ingress')[0]!;
    expect(ingress.spec!.rules![0]).toMatchObject({
      host: 'autofix.example.com',
      http: { paths: [{ path: '/slack/events', pathType: 'Exact' }] },
    });
    const worker = deploymentOf(objs, 'worker');
    expect(worker.spec!.replicas).toBe(3);
    expect(worker.spec!.template.spec!.terminationGracePeriodSeconds).toBe(90);
    expect(worker.spec!.template.spec!.containers[0]!.image).toBe('registry.example.com/kube-autofix:0.1.0');
    const cm = find<V1ConfigMap>(objs, 'ConfigMap')[0]!;
    expect(cm.data).toMatchObject({
      AUTOFIX_CHANNEL_NAMESPACES: 'C0123SHOP=shop,C0456PAY=payments',
      AUTOFIX_CHANNEL_CLUSTERS: 'C0123SHOP=prod-eu',
      AUTOFIX_CLUSTER: 'prod-eu',
      REDIS_MODE: 'sentinel',
      REDIS_SENTINEL_MASTER: 'autofix',
      AUTOFIX_JOB_LOCK: '45s',
      AUTOFIX_ALLOWED_REGISTRIES: 'registry.example.com,docker.io',
      PORT: '8080',
    });
    expect(cm.data).not.toHaveProperty('REDIS_URL');
    const apiServer = find<V1NetworkPolicy>(objs, 'NetworkPolicy', /-worker$/)[0]!.spec!.egress!;
    expect(apiServer).toContainEqual({
      to: [{ ipBlock: { cidr: '10.96.0.1/32' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
  });

  it('alerts: the token from a Secret on the bot only, the routes, and an AlertmanagerConfig with the bearer token', async () => {
    const objs = await renderChart(['ci/full-values.yaml']);
    const tokenEnv = (component: string) =>
      deploymentOf(objs, component).spec!.template.spec!.containers[0]!.env!.find(
        (e) => e.name === 'AUTOFIX_ALERTS_TOKEN',
      );
    expect(tokenEnv('bot')?.valueFrom?.secretKeyRef).toEqual({ name: 'autofix-full-alerts', key: 'token' });
    expect(tokenEnv('worker')).toBeUndefined();
    expect(find<V1ConfigMap>(objs, 'ConfigMap')[0]!.data).toMatchObject({
      AUTOFIX_ALERT_ROUTES: '*=C0456OPS,shop=C0123SHOP',
      AUTOFIX_ALERT_COOLDOWN: '1h',
      AUTOFIX_ALERT_MAX_PER_MINUTE: '5',
    });
    const amc = find<KubernetesObject & { spec: Record<string, unknown> }>(objs, 'AlertmanagerConfig')[0]!;
    expect(amc.apiVersion).toBe('monitoring.coreos.com/v1alpha1');
    expect(amc.metadata).toMatchObject({ namespace: 'monitoring', labels: { release: 'prometheus' } });
    expect(amc.spec).toEqual({
      route: {
        receiver: 'kube-autofix',
        groupBy: ['namespace', 'alertname'],
        groupWait: '30s',
        groupInterval: '5m',
        repeatInterval: '4h',
        matchers: [{ name: 'severity', matchType: '=~', value: 'warning|critical' }],
      },
      receivers: [
        {
          name: 'kube-autofix',
          webhookConfigs: [
            {
              url: 'http://autofix-full-bot.kube-autofix.svc:8080/alerts/alertmanager',
              sendResolved: true,
              maxAlerts: 500,
              httpConfig: {
                authorization: { type: 'Bearer', credentials: { name: 'autofix-full-alerts', key: 'token' } },
              },
            },
          ],
        },
      ],
    });
    // Socket Mode: the receiver still listens (Alertmanager calls it in the cluster); the token is generated.
    const socket = await renderChart(['ci/socket-mode-values.yaml']);
    const generated = find<KubernetesObject & { stringData: Record<string, string> }>(
      socket,
      'Secret',
      /-alerts$/,
    )[0]!;
    expect(generated.stringData.token).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(find(await renderChart(['ci/default-values.yaml']), 'Secret', /-alerts$/)).toHaveLength(0);
  });

  it('mode=worker: only this cluster’s workers and their Roles, named, on the central Redis (TLS CA mounted)', async () => {
    const objs = await renderChart(['ci/worker-mode-values.yaml']);
    expect(find(objs, 'Deployment').map((d) => d.metadata!.labels!['app.kubernetes.io/component'])).toEqual([
      'worker',
    ]);
    expect(find(objs, 'StatefulSet')).toHaveLength(0);
    expect(find(objs, 'Ingress')).toHaveLength(0);
    expect(find(objs, 'NetworkPolicy').map((n) => n.metadata!.name)).toEqual(['autofix-kube-autofix-worker']);
    expect(find(objs, 'Role').map((r) => r.metadata!.namespace)).toEqual(['shop']);
    const cm = find<V1ConfigMap>(objs, 'ConfigMap')[0]!;
    expect(cm.data).toMatchObject({
      AUTOFIX_CLUSTER: 'prod-eu',
      REDIS_MODE: 'cluster',
      AUTOFIX_WORKER_HEARTBEAT: '5s',
    });
    expect(cm.data!.REDIS_URL).toBeUndefined();
    const pod = deploymentOf(objs, 'worker').spec!.template.spec!;
    const env = pod.containers[0]!.env!;
    expect(env.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'REDIS_URL',
        'REDIS_USERNAME',
        'REDIS_PASSWORD',
        'REDIS_TLS_CA_FILE',
        'SLACK_BOT_TOKEN',
      ]),
    );
    expect(env.map((e) => e.name)).not.toContain('SLACK_SIGNING_SECRET');
    const ca = env.find((e) => e.name === 'REDIS_TLS_CA_FILE')!.value!;
    const mount = pod.containers[0]!.volumeMounts!.find((m) => m.name === 'redis-ca')!;
    expect(ca.startsWith(`${mount.mountPath}/`)).toBe(true);
    expect(pod.volumes!.find((v) => v.name === 'redis-ca')!.secret!.secretName).toBe('central-redis-ca');
  });

  it('mode=bot: the bot only (no worker, no RBAC), routing by channel; the default is one cluster named default', async () => {
    const objs = await renderChart(['ci/default-values.yaml'], {
      set: ['mode=bot', 'redis.url=rediss://redis.example:6380', 'slack.channelClusters.C0EU=prod-eu'],
    });
    expect(find(objs, 'Deployment').map((d) => d.metadata!.labels!['app.kubernetes.io/component'])).toEqual([
      'bot',
    ]);
    expect([...find(objs, 'Role'), ...find(objs, 'ClusterRole'), ...find(objs, 'StatefulSet')]).toEqual([]);
    expect(find<V1ConfigMap>(objs, 'ConfigMap')[0]!.data).toMatchObject({
      AUTOFIX_CHANNEL_CLUSTERS: 'C0EU=prod-eu',
      REDIS_URL: 'rediss://redis.example:6380',
    });
    const all = find<V1ConfigMap>(await renderChart(['ci/default-values.yaml']), 'ConfigMap')[0]!;
    expect(all.data).toMatchObject({ AUTOFIX_CLUSTER: 'default', REDIS_MODE: 'standalone' });
  });

  it('Socket Mode: the app token instead of the signing secret, credentials from values, no Ingress', async () => {
    const objs = await renderChart(['ci/socket-mode-values.yaml']);
    expect(find(objs, 'Ingress')).toHaveLength(0);
    const env = deploymentOf(objs, 'bot').spec!.template.spec!.containers[0]!.env!.map((e) => e.name);
    expect(env).toContain('SLACK_APP_TOKEN');
    expect(env).not.toContain('SLACK_SIGNING_SECRET');
    const secret = find<KubernetesObject & { stringData: Record<string, string> }>(
      objs,
      'Secret',
      /-credentials$/,
    )[0]!;
    expect(Object.keys(secret.stringData).sort()).toEqual(
      [
        'MLFLOW_TRACKING_PASSWORD',
        'MLFLOW_TRACKING_USERNAME',
        'OPENAI_API_KEY',
        'SLACK_APP_TOKEN',
        'SLACK_BOT_TOKEN',
      ].sort(),
    );
    // The worker gets the LLM key; the bot never does.
    expect(
      deploymentOf(objs, 'worker').spec!.template.spec!.containers[0]!.env!.map((e) => e.name),
    ).toContain('OPENAI_API_KEY');
  });

  it('every variable the app reads can be set (KUBECONFIG aside: the worker uses its ServiceAccount)', async () => {
    const settable = new Set<string>();
    for (const file of VALUES) for (const v of settableVariables(await renderChart([file]))) settable.add(v);
    const read = configVariables();
    expect(read.length).toBeGreaterThanOrEqual(30);
    expect(read.filter((v) => v !== 'KUBECONFIG' && !settable.has(v))).toEqual([]);
  });

  it('the worker Role grants exactly what deploy/kubernetes/worker-role.yaml grants', async () => {
    const shipped = parseAllDocuments(
      readFileSync(resolve(ROOT, 'deploy/kubernetes/worker-role.yaml'), 'utf8'),
    )
      .map((d) => d.toJS() as V1Role)
      .find((o) => o.kind === 'Role')!;
    const chart = find<V1Role>(await renderChart(['ci/default-values.yaml']), 'Role')[0]!;
    expect(chart.rules).toEqual(shipped.rules);
  });

  it('every pod template meets Pod Security "restricted" field by field', async () => {
    for (const file of VALUES) {
      const objs = await renderChart([file]);
      const templates = objs
        .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
        .map((o) => (o as V1Deployment).spec!.template.spec!);
      for (const pod of templates) {
        expect(pod.securityContext).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        for (const c of pod.containers)
          expect(c.securityContext).toMatchObject({
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
      }
    }
  });
});

describe('bad values are refused before anything reaches the cluster', () => {
  const refusal = async (args: string[]): Promise<string> => {
    const r = await helm(['template', 'autofix', CHART_DIR, ...args]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    return r.stderr;
  };

  it('no namespaces: the schema says at least one is needed', async () => {
    const err = await refusal([
      '--set',
      'slack.approvers={U1}',
      '--set',
      'slack.botToken=xoxb-1',
      '--set',
      'slack.signingSecret=s',
    ]);
    expect(err).toMatch(/values don't meet the specifications of the schema/);
    expect(err).toContain("at '/namespaces': minItems: got 0, want 1");
  });

  it('wrong types are named by path', async () => {
    const err = await refusal([
      '--values',
      `${CHART_DIR}/ci/default-values.yaml`,
      '--set',
      'worker.replicas=two',
      '--set-json',
      'namespaces="shop"',
    ]);
    expect(err).toMatch(/\/worker\/replicas/);
    expect(err).toMatch(/got string, want integer/);
    expect(err).toMatch(/\/namespaces/);
  });

  it('an unknown key (a typo) is refused instead of silently ignored', async () => {
    const err = await refusal([
      '--values',
      `${CHART_DIR}/ci/default-values.yaml`,
      '--set',
      'worker.replica=3',
    ]);
    expect(err).toMatch(/additional properties 'replica' not allowed/);
  });

  it('cross-field mistakes get a sentence that says what to set', async () => {
    const base = ['--values', `${CHART_DIR}/ci/default-values.yaml`];
    expect(await refusal([...base, '--set', 'worker.terminationGracePeriodSeconds=20'])).toMatch(
      /terminationGracePeriodSeconds \(20\) must be longer than queue.jobLockSeconds \(30\)/,
    );
    expect(await refusal([...base, '--set', 'slack.mode=socket'])).toMatch(
      /slack.mode=socket needs slack.appToken/,
    );
    expect(
      await refusal([
        ...base,
        '--set',
        'slack.mode=socket',
        '--set',
        'slack.appToken=xapp-1',
        '--set',
        'ingress.enabled=true',
      ]),
    ).toMatch(/Socket Mode connects out to Slack and needs no Ingress/);
    expect(await refusal([...base, '--set', 'slack.channelNamespaces.C0OPS=payments'])).toMatch(
      /maps C0OPS to payments, which is not in namespaces/,
    );
    expect(await refusal(['--set', 'namespaces={shop}', '--set', 'slack.approvers={U1}'])).toMatch(
      /set slack.botToken .* or slack.existingSecret/,
    );
    expect(
      await refusal([...base, '--set', 'alerts.enabled=true', '--set', 'alerts.routes.shop=C0SHOP']),
    ).toMatch(/alerts.routes needs a default route "\*"/);
    expect(
      await refusal([
        ...base,
        '--set',
        'alerts.enabled=true',
        '--set-json',
        'alerts.routes={"*":"C0OPS","payments":"C0PAY"}',
      ]),
    ).toMatch(/alerts.routes routes payments, which is not in namespaces/);
    expect(await refusal([...base, '--set', 'alerts.token=short'])).toMatch(/\/alerts\/token/);
    expect(await refusal([...base, '--set', 'mode=worker'])).toMatch(
      /mode=worker joins the central install: set redis.url/,
    );
    expect(await refusal([...base, '--set', 'mode=bot'])).toMatch(
      /mode=bot serves workers in other clusters.*set redis.url \(rediss:\/\/\) or redis.existingSecret/,
    );
    expect(
      await refusal([...base, '--set', 'redis.url=redis://a:26379', '--set', 'redis.mode=sentinel']),
    ).toMatch(/redis.mode=sentinel needs redis.sentinelMaster/);
    expect(await refusal([...base, '--set', 'redis.mode=cluster'])).toMatch(
      /redis.mode=cluster needs redis.url .* the bundled Redis is a single node/,
    );
    expect(await refusal([...base, '--set', 'cluster.name=Prod_EU'])).toMatch(/cluster.name/);
  });
});
