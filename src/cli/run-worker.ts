// Starts a worker for one cluster (AUTOFIX_CLUSTER): the agent (cluster, engine, tracker), Slack poster, Redis
// stores, the BullMQ worker on that cluster's queue, and its registration with heartbeat.
import type { Config } from '../config/config.js';
import { noProgress } from '../agent/progress.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createActiveInvestigations } from '../queue/active-investigations.js';
import { createBookkeeping } from '../queue/bookkeeping.js';
import { createJobMessages } from '../queue/job-messages.js';
import { keySpace } from '../queue/key-space.js';
import { createThreadIndex } from '../queue/thread-index.js';
import { tokenMeteredEngine } from '../queue/metered-engine.js';
import { createProducer } from '../queue/producer.js';
import { createRedisProposalStore } from '../store/redis-proposal-store.js';
import { closeRedis, createRedisConnection } from '../queue/redis-connection.js';
import { createAutofixWorker } from '../queue/worker.js';
import { announceWorker } from '../queue/worker-registry.js';
import { agentVersion } from '../observability/version.js';
import type { WorkerContext } from '../queue/worker-context.js';
import { createAuthority } from '../slack/authority.js';
import {
  createSlackPoster,
  createSlackWebClient,
  type PosterOptions,
  type WebClientSettings,
} from '../slack/slack-poster.js';
import { wireAgent } from './wire-agent.js';
import { assertNoClusterAdmins } from '../workflow/impersonable.js';

export interface WorkerOverrides {
  queueName?: string;
  clientSettings?: WebClientSettings;
  posterOptions?: PosterOptions;
  progressIntervalMs?: number;
  rolloutPollMs?: number;
  /** How long shutdown waits for active jobs before leaving them to another worker (default 25 s). */
  graceMs?: number;
}

export interface RunningWorker {
  /** Its registration's id (what `/autofix clusters` lists). */
  readonly workerId: string;
  stop(): Promise<void>;
}

export async function runWorker(
  config: Config,
  logger: Logger,
  metrics: Metrics,
  overrides: WorkerOverrides = {},
): Promise<RunningWorker> {
  const agent = wireAgent(config, logger, noProgress);
  // Before any connection or job: an identity the cluster lets do everything is never impersonated.
  if (config.identity.applyAs === 'approver' && config.identity.identities)
    await assertNoClusterAdmins(config.identity.identities, agent.cluster);
  const keys = keySpace(config.queue.prefix);
  // This worker's cluster: its queue, claims and job messages; proposals and registrations are shared.
  const own = keys.cluster(config.cluster);
  // Workers wait out Redis restarts rather than failing jobs: both connections queue commands while offline.
  const redis = createRedisConnection(config.redis, 'worker', logger.child({ component: 'worker-redis' }));
  const blocking = createRedisConnection(
    config.redis,
    'worker',
    logger.child({ component: 'worker-bullmq' }),
  );
  const producer = createProducer({ connection: redis, keys, queueName: overrides.queueName, logger });
  const client = createSlackWebClient(config.slack, overrides.clientSettings);
  const bookkeeping = createBookkeeping({
    producer,
    cluster: config.cluster,
    logger,
    // A burst of up to 8 rounds per slot leaves all its bookkeeping until it is through (at most 10 s).
    limit: 8 * config.queue.concurrency,
  });
  const context: WorkerContext = {
    config,
    agent: {
      cluster: agent.cluster,
      engine: tokenMeteredEngine(agent.engine, metrics),
      tracker: agent.tracker,
      config: agent.config,
    },
    poster: createSlackPoster(client, logger, overrides.posterOptions),
    authority: createAuthority(config, client, logger),
    store: createRedisProposalStore(redis, keys),
    messages: createJobMessages(redis, own),
    threads: createThreadIndex(redis, keys),
    active: createActiveInvestigations(redis, own),
    producer,
    bookkeeping,
    metrics,
    logger,
    progressIntervalMs: overrides.progressIntervalMs,
    rolloutPollMs: overrides.rolloutPollMs,
  };
  const worker = createAutofixWorker({
    connection: blocking,
    keys: own,
    queue: config.queue,
    context,
    queueName: overrides.queueName,
  });
  // Announced once it consumes: the bot routes this cluster's commands here from now on.
  const announcement = await announceWorker(
    redis,
    keys,
    {
      cluster: config.cluster,
      version: agentVersion(),
      namespaces: config.namespaces,
      engine: config.llm ? `llm:${config.llm.model}` : 'rules',
      concurrency: config.queue.concurrency,
      heartbeatMs: config.queue.heartbeatMs,
    },
    logger,
  );
  logger.info(
    {
      cluster: config.cluster,
      workerId: announcement.workerId,
      concurrency: config.queue.concurrency,
      lockMs: config.queue.lockDurationMs,
      prefix: own.prefix,
    },
    'worker started',
  );
  return {
    workerId: announcement.workerId,
    async stop() {
      // No job taken from here on; withdrawn at once (the bot stops routing here), then active jobs finish.
      await worker.close(overrides.graceMs, () => announcement.stop());
      // Bookkeeping still being written finishes (each flush is bounded) before Redis closes.
      await bookkeeping.drain();
      await producer.close().catch(() => undefined);
      await closeRedis(redis);
      await closeRedis(blocking);
    },
  };
}
