// Bench section "worker": worker processes with the rule engine against a batch of OOM-looping Deployments on
// the sandbox, all on one cluster's queue; proposals per minute at each level (processes × concurrency) and memory.
import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { parseTarget } from '../src/domain/index.js';
import { createKubeCluster } from '../src/k8s/kube-cluster.js';
import { createLogger } from '../src/observability/logger.js';
import { createProducer } from '../src/queue/producer.js';
import { keySpace } from '../src/queue/key-space.js';
import { waitForSymptom, DEFAULT_TIMING } from '../src/cli/eval/judge-case.js';
import { startSlackStandIn, type SlackStandIn } from '../tools/stand-ins/local-slack/slack-stand-in.js';
import { deletePrefix } from '../tools/demo/delete-prefix.js';
import { round1 } from './percentiles.js';
import type { MemorySample } from './service-process.js';
import { spawnService } from './spawn-service.js';

export interface WorkerRow {
  /** Worker processes on the one queue. */
  workers: number;
  /** Jobs each process runs at once. */
  concurrency: number;
  investigations: number;
  proposals: number;
  seconds: number;
  proposalsPerMinute: number;
  idle: MemorySample;
  underLoad: MemorySample;
  afterGc: MemorySample;
}

export interface WorkerOptions {
  kubeconfig: string;
  redisUrl: string;
  deployments: number;
  levels: Array<{ workers: number; concurrency: number }>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function oomDeployment(name: string) {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [
            {
              name: 'app',
              image: 'acme/shop-web:1.4.0',
              env: [{ name: 'DATABASE_URL', value: 'postgres://db:5432/shop' }],
              resources: { limits: { memory: '64Mi' } },
            },
          ],
        },
      },
    },
  };
}

/** A parent message in the stand-in, as the bot would post before enqueueing. */
async function openThread(slack: SlackStandIn, channel: string): Promise<string> {
  const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${slack.botToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel, text: 'bench investigation' }),
  });
  return ((await res.json()) as { ts: string }).ts;
}

const proposalsPosted = (slack: SlackStandIn): number =>
  slack.calls('chat.postMessage').filter((c) => JSON.stringify(c.args).includes('autofix_approve')).length;

async function oneLevel(
  o: WorkerOptions,
  ns: string,
  names: string[],
  level: { workers: number; concurrency: number },
): Promise<WorkerRow> {
  const { workers: count, concurrency } = level;
  const slack = await startSlackStandIn();
  const prefix = `benchw${randomBytes(4).toString('hex')}`;
  const workers = await Promise.all(
    Array.from({ length: count }, () =>
      spawnService('worker', {
        KUBECONFIG: o.kubeconfig,
        REDIS_URL: o.redisUrl,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_API_URL: slack.apiUrl,
        AUTOFIX_NAMESPACES: ns,
        AUTOFIX_QUEUE_PREFIX: prefix,
        AUTOFIX_WORKER_CONCURRENCY: String(concurrency),
      }),
    ),
  );
  // Memory is the first process's: every process runs the same code on its share of the jobs.
  const worker = workers[0]!;
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1 });
  const producer = createProducer({
    connection: redis,
    keys: keySpace(prefix),
    logger: createLogger('silent'),
  });
  try {
    const idle = await worker.memory({ gc: true });
    const t0 = performance.now();
    for (const name of names) {
      await producer.addInvestigation(
        {
          cluster: 'default',
          target: parseTarget(`deployment/${name}`, ns),
          requestedBy: 'U0BENCH',
          channel: 'C0BENCH',
        },
        () => openThread(slack, 'C0BENCH'),
      );
    }
    let underLoad = await worker.memory();
    for (;;) {
      const c = await producer.queue('default').getJobCounts('completed', 'failed');
      if ((c.completed ?? 0) + (c.failed ?? 0) >= names.length) break;
      const m = await worker.memory();
      if (m.rssMiB > underLoad.rssMiB) underLoad = m;
      await pause(250);
    }
    const seconds = (performance.now() - t0) / 1000;
    const proposals = proposalsPosted(slack);
    return {
      workers: count,
      concurrency,
      investigations: names.length,
      proposals,
      seconds: round1(seconds),
      proposalsPerMinute: round1((proposals / seconds) * 60),
      idle,
      underLoad,
      afterGc: await worker.memory({ gc: true }),
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await producer.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
    await slack.close();
  }
}

/** A fresh namespace holding `names` OOM-looping Deployments, each seen OOMKilled, for `body`; then deleted. */
export async function withOomDeployments<T>(
  kubeconfig: string,
  names: string[],
  body: (ns: string) => Promise<T>,
): Promise<T> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const ns = `bench-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({
    body: { metadata: { name: ns, labels: { 'app.kubernetes.io/part-of': 'kube-autofix-bench' } } },
  });
  try {
    while ((await core.listNamespacedServiceAccount({ namespace: ns })).items.length === 0) await pause(500);
    for (const name of names)
      await apps.createNamespacedDeployment({ namespace: ns, body: oomDeployment(name) });
    const cluster = createKubeCluster({ kubeconfig });
    for (const name of names) {
      const seen = await waitForSymptom(
        cluster,
        parseTarget(`deployment/${name}`, ns),
        { terminated: 'OOMKilled' },
        DEFAULT_TIMING,
      );
      if (!seen.ok) throw new Error(`deployment ${name} never OOMed: ${seen.why.join('; ')}`);
    }
    return await body(ns);
  } finally {
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
}

export async function benchWorker(o: WorkerOptions): Promise<WorkerRow[]> {
  const names = Array.from({ length: o.deployments }, (_, i) => `oom-${i}`);
  return withOomDeployments(o.kubeconfig, names, async (ns) => {
    const rows: WorkerRow[] = [];
    for (const level of o.levels) rows.push(await oneLevel(o, ns, names, level));
    return rows;
  });
}
