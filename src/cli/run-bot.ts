// Starts the bot: Redis (fail-fast producer), the proposal store, the Bolt app. Imports nothing of agent or k8s.
import type { Config } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createProducer } from '../queue/producer.js';
import { createRedisProposalStore } from '../store/redis-proposal-store.js';
import { keySpace } from '../queue/key-space.js';
import { closeRedis, createRedisConnection, describeRedis, waitReady } from '../queue/redis-connection.js';
import { createClusterDirectory } from '../bot/cluster-directory.js';
import { createBotApp, type BotAppDeps } from '../bot/bot-app.js';
import { verifyBotToken } from '../bot/verify-bot-token.js';
import { createTracker } from '../tracking/create-tracker.js';

export interface RunningService {
  /** The HTTP port serving /healthz and /metrics (and /slack/events for the bot). */
  port: number;
  stop(): Promise<void>;
}

export interface BotOverrides {
  queueName?: string;
  /** How long the registrations are reused between commands (default 1.5 s). */
  directoryTtlMs?: number;
  port?: number;
  clientSettings?: BotAppDeps['clientSettings'];
  posterOptions?: BotAppDeps['posterOptions'];
}

export async function runBot(
  config: Config,
  logger: Logger,
  metrics: Metrics,
  overrides: BotOverrides = {},
): Promise<RunningService> {
  const identity = await verifyBotToken(config.slack, overrides.clientSettings);
  const keys = keySpace(config.queue.prefix);
  const redis = createRedisConnection(config.redis, 'producer', logger.child({ component: 'bot-redis' }));
  // The producer fails fast while Redis is down; give it a moment to connect before taking commands.
  if (!(await waitReady(redis, 10_000)))
    logger.warn('Redis is not reachable yet; commands fail until it is (see /healthz)');
  const producer = createProducer({ connection: redis, keys, queueName: overrides.queueName, logger });
  const store = createRedisProposalStore(redis, keys);
  // Short and few retries: a click or a command never waits long on MLflow.
  const tracker = createTracker(config, logger, { http: { attempts: 3, timeoutMs: 5000 } });
  // The alert consumer blocks on its own connection, which waits out Redis restarts (worker role).
  const blocking = config.alerts
    ? createRedisConnection(config.redis, 'worker', logger.child({ component: 'bot-alerts-redis' }))
    : null;
  const bot = createBotApp({
    config,
    directory: createClusterDirectory({
      redis,
      keys,
      botNamespaces: config.namespaces,
      ttlMs: overrides.directoryTtlMs,
    }),
    producer,
    store,
    redis,
    logger,
    metrics,
    tracker,
    identity,
    port: overrides.port ?? config.port,
    clientSettings: overrides.clientSettings,
    posterOptions: overrides.posterOptions,
    ...(config.alerts && blocking
      ? {
          alerts: {
            config: { alerts: config.alerts, namespaces: config.namespaces, cluster: config.cluster },
            redis,
            blocking,
            keys,
            producer,
            store,
            tracker,
            teamId: identity.teamId,
            metrics,
            logger,
          },
        }
      : {}),
  });
  const { port } = await bot.start();
  logger.info(
    {
      port,
      mode: bot.mode,
      prefix: keys.base,
      redis: describeRedis(config.redis),
      alerts: config.alerts !== null,
    },
    'bot listening',
  );
  return {
    port,
    async stop() {
      await bot.stop().catch((e: unknown) => logger.warn({ err: String(e) }, 'bot stop failed'));
      await producer.close().catch(() => undefined);
      await closeRedis(redis);
      if (blocking) await closeRedis(blocking);
    },
  };
}
