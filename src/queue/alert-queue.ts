// The alert queue: the receiver's decisions for one webhook, carried out by the bot off the request path.
import { UnrecoverableError, Queue, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import { AlertTrigger, ClusterField, TargetRef } from '../domain/index.js';
import type { Logger } from '../observability/logger.js';
import { classifyFailure, describeFailure } from './classify-failure.js';
import type { AlertKeys } from './key-space.js';
import { unavailable } from './producer.js';
import type { RedisConnection } from './redis-connection.js';
import { within } from './within.js';

/** Its own queue, so threads open while every worker slot is busy investigating. */
export const ALERT_QUEUE_NAME = 'autofix-alerts';

/** At most this many alerts are listed per channel in a message; the rest are counted. */
export const LISTED_PER_CHANNEL = 100;

const Listed = <T extends z.ZodTypeAny>(item: T) =>
  z.object({
    channel: z.string().min(1),
    total: z.number().int().min(1),
    items: z.array(item).max(LISTED_PER_CHANNEL),
  });

export const StormItem = z.object({ ref: TargetRef, alertname: z.string() });
export type StormItem = z.infer<typeof StormItem>;
export const UnresolvableItem = z.object({ alertname: z.string(), why: z.string() });
export type UnresolvableItem = z.infer<typeof UnresolvableItem>;

export const OpenIncident = z.object({
  incident: z.string().min(1),
  /** The cluster whose worker investigates it (the alert's `cluster` label, else the bot's AUTOFIX_CLUSTER). */
  cluster: ClusterField,
  ref: TargetRef,
  channel: z.string().min(1),
  trigger: AlertTrigger,
});
export type OpenIncident = z.infer<typeof OpenIncident>;

export const AlertJob = z.object({
  receivedAt: z.string(),
  receiver: z.string(),
  groupKey: z.string(),
  /** Incidents whose thread this job opens (and whose investigation it starts). */
  open: z.array(OpenIncident),
  /** Incidents whose parent message is edited (count, last seen, resolution). */
  touched: z.array(z.string()),
  /** Incidents that fired again within the cooldown (a note in the thread, no investigation). */
  refired: z.array(z.string()),
  /** Incidents whose last alert resolved (a note in the thread; a pending proposal keeps its buttons). */
  resolved: z.array(z.string()),
  /** Over AUTOFIX_ALERT_MAX_PER_MINUTE: one message per channel, not one per alert. */
  storm: z.array(Listed(StormItem)),
  /** Alerts without a workload to investigate: one message per channel naming the missing labels. */
  unresolvable: z.array(Listed(UnresolvableItem)),
  /** Namespaces outside AUTOFIX_NAMESPACES the group named, said once per group in the default channel. */
  refused: z.object({ channel: z.string(), namespaces: z.array(z.string()).min(1) }).nullable(),
  /** Alerts Alertmanager left out of the webhook (`max_alerts`). */
  truncatedAlerts: z.number().int().min(0),
});
export type AlertJob = z.infer<typeof AlertJob>;

const OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export interface AlertQueue {
  /** Enqueues with `jobId` (a second add with the same id is a no-op); throws QueueError when Redis is down. */
  add(job: AlertJob, jobId: string): Promise<void>;
  close(): Promise<void>;
}

export function createAlertQueue(opts: {
  connection: RedisConnection;
  keys: Pick<AlertKeys, 'prefix'>;
  logger: Logger;
  timeoutMs?: number;
}): AlertQueue {
  const queue = new Queue(ALERT_QUEUE_NAME, { connection: opts.connection, prefix: opts.keys.prefix });
  queue.on('error', (e: Error) => opts.logger.warn({ err: e.message }, 'alert queue connection problem'));
  return {
    async add(job, jobId) {
      try {
        await within(opts.timeoutMs ?? 2000, queue.add('alert', AlertJob.parse(job), { ...OPTIONS, jobId }));
      } catch (e) {
        throw unavailable('enqueue the alert job', e);
      }
    },
    close: () => queue.close(),
  };
}

export interface AlertConsumer {
  close(): Promise<void>;
}

/** Runs `handle` for each alert job (validated); permanent failures are not retried. */
export function createAlertConsumer(opts: {
  /** A `worker`-role connection: it blocks waiting for jobs. */
  connection: RedisConnection;
  keys: Pick<AlertKeys, 'prefix'>;
  logger: Logger;
  concurrency?: number;
  handle: (data: AlertJob, job: Job) => Promise<string>;
}): AlertConsumer {
  const worker = new Worker(
    ALERT_QUEUE_NAME,
    async (job: Job) => {
      const log = opts.logger.child({ jobId: job.id, job: 'alert', attempt: job.attemptsMade + 1 });
      const parsed = AlertJob.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid alert job: ${parsed.error.message}`);
      try {
        return await opts.handle(parsed.data, job);
      } catch (e) {
        const kind = classifyFailure(e);
        log.warn({ err: describeFailure(e), kind }, 'alert job failed');
        if (kind === 'permanent') throw new UnrecoverableError(describeFailure(e));
        throw e;
      }
    },
    { connection: opts.connection, prefix: opts.keys.prefix, concurrency: opts.concurrency ?? 4 },
  );
  worker.on('error', (e: Error) => opts.logger.warn({ err: e.message }, 'alert consumer connection problem'));
  return { close: () => worker.close() };
}
