// Wires the Alertmanager receiver (the route) and the bot's alert consumer (the job) from the bot's own parts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertsConfig, Config } from '../../config/config.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { createAlertIncidents } from '../../queue/alert-incidents.js';
import { createAlertConsumer, createAlertQueue } from '../../queue/alert-queue.js';
import { createJobMessages } from '../../queue/job-messages.js';
import type { KeySpace } from '../../queue/key-space.js';
import type { Producer } from '../../queue/producer.js';
import type { RedisConnection } from '../../queue/redis-connection.js';
import { createThreadIndex } from '../../queue/thread-index.js';
import type { SlackPoster } from '../../slack/slack-poster.js';
import type { Tracker } from '../../tracking/tracker.js';
import type { ProposalStore } from '../../workflow/proposal-store.js';
import { processAlertJob } from './alert-job.js';
import { createAlertReceiver } from './alert-receiver.js';

export interface AlertsDeps {
  config: { alerts: AlertsConfig; namespaces: Config['namespaces']; cluster: Config['cluster'] };
  /** The bot's fail-fast connection (the receiver's step and enqueue). */
  redis: RedisConnection;
  /** A `worker`-role connection the consumer blocks on. */
  blocking: RedisConnection;
  keys: KeySpace;
  producer: Pick<Producer, 'addInvestigation' | 'addResolve'>;
  store: Pick<ProposalStore, 'get'>;
  tracker: Pick<Tracker, 'recordAlertResolved'>;
  teamId: string | null;
  metrics: Metrics;
  logger: Logger;
}

export interface Alerts {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

export function createAlerts(deps: AlertsDeps, poster: SlackPoster): Alerts {
  const logger = deps.logger.child({ component: 'alerts' });
  const incidents = createAlertIncidents(deps.redis, deps.keys.alerts);
  const queue = createAlertQueue({ connection: deps.redis, keys: deps.keys.alerts, logger });
  const handle = createAlertReceiver({
    config: deps.config,
    incidents,
    queue,
    metrics: deps.metrics,
    logger,
  });
  const jobDeps = {
    config: deps.config,
    poster,
    producer: deps.producer,
    incidents,
    threads: createThreadIndex(deps.redis, deps.keys),
    messages: createJobMessages(deps.redis, deps.keys.alerts),
    store: deps.store,
    tracker: deps.tracker,
    teamId: deps.teamId,
    logger,
  };
  const consumer = createAlertConsumer({
    connection: deps.blocking,
    keys: deps.keys.alerts,
    logger,
    handle: (data, job) => processAlertJob(jobDeps, data, job),
  });
  return {
    handle,
    async close() {
      await consumer.close();
      await queue.close();
    },
  };
}
