// The BullMQ worker: validates each job, dispatches it to its processor, retries transient failures only.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { QueueConfig } from '../config/config.js';
import { classifyFailure, describeFailure, isFinalAttempt } from './classify-failure.js';
import { JOB_SCHEMAS, QUEUE_NAME, type JobName } from './jobs.js';
import type { ClusterKeys } from './key-space.js';
import { QueueError, QueueErrorCode } from './queue-error.js';
import type { RedisConnection } from './redis-connection.js';
import { processApply } from './processors/apply.js';
import { processBookkeeping } from './processors/bookkeeping.js';
import { processDecide } from './processors/decide.js';
import { processInvestigate } from './processors/investigate.js';
import { processExpire } from './processors/expire.js';
import { processResolve } from './processors/resolve.js';
import { processRollback } from './processors/rollback.js';
import { processTriage } from './processors/triage.js';
import type { Processor, WorkerContext } from './worker-context.js';

export const PROCESSORS: { [N in JobName]: Processor<N> } = {
  investigate: processInvestigate,
  apply: processApply,
  rollback: processRollback,
  decide: processDecide,
  expire: processExpire,
  triage: processTriage,
  resolve: processResolve,
  bookkeeping: processBookkeeping,
};

export interface AutofixWorkerOptions {
  /** A `worker`-role connection (`maxRetriesPerRequest: null`); BullMQ duplicates it for blocking reads. */
  connection: RedisConnection;
  /** The served cluster's keys: the worker consumes that cluster's queue only. */
  keys: ClusterKeys;
  queue: QueueConfig;
  context: WorkerContext;
  queueName?: string;
  /** Replace processors (tests); defaults to PROCESSORS. */
  processors?: Partial<{ [N in JobName]: Processor<N> }>;
}

export interface AutofixWorker {
  readonly worker: Worker;
  /**
   * Stops taking jobs and lets the active ones finish; after `graceMs` it stops waiting: the caller
   * exits, the unfinished jobs' locks lapse and another worker takes them over (stalled-job recovery).
   * `meanwhile` (the worker's withdrawal) runs once no job can be taken any more, before the wait.
   */
  close(graceMs?: number, meanwhile?: () => Promise<void>): Promise<void>;
}

function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOB_SCHEMAS, name);
}

async function dispatch(job: Job, opts: AutofixWorkerOptions): Promise<string> {
  if (!isJobName(job.name))
    throw new QueueError(QueueErrorCode.BadPayload, `Unknown job name "${job.name}".`);
  const parsed = JOB_SCHEMAS[job.name].safeParse(job.data);
  if (!parsed.success)
    throw new QueueError(
      QueueErrorCode.BadPayload,
      `Job ${job.id} (${job.name}) has an invalid payload: ${parsed.error.message}`,
    );
  // Only a routing mistake puts one here (each cluster has its own queue); acting on it would touch the wrong cluster.
  if (parsed.data.cluster !== opts.keys.cluster)
    throw new QueueError(
      QueueErrorCode.WrongCluster,
      `Job ${job.id} (${job.name}) is for cluster ${parsed.data.cluster}; this worker serves ${opts.keys.cluster}. Nothing was done.`,
    );
  const processor = (opts.processors?.[job.name] ?? PROCESSORS[job.name]) as Processor<JobName>;
  return processor(parsed.data, job, opts.context);
}

export function createAutofixWorker(opts: AutofixWorkerOptions): AutofixWorker {
  const { logger, metrics } = opts.context;
  const run = async (job: Job): Promise<string> => {
    const log = logger.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    log.info('job started');
    try {
      const outcome = await dispatch(job, opts);
      metrics.jobs.inc({ name: job.name, outcome: 'completed' });
      log.info({ outcome }, 'job completed');
      return outcome;
    } catch (e) {
      const kind = classifyFailure(e);
      const final = kind === 'permanent' || isFinalAttempt(job);
      metrics.jobs.inc({ name: job.name, outcome: final ? 'failed' : 'retrying' });
      log.warn(
        { err: describeFailure(e), code: (e as { code?: unknown }).code, kind, final },
        final ? 'job failed' : 'job failed; will retry',
      );
      // UnrecoverableError tells BullMQ to skip the remaining attempts.
      if (kind === 'permanent') throw new UnrecoverableError(describeFailure(e));
      throw e;
    }
  };
  const lock = opts.queue.lockDurationMs;
  const worker = new Worker(opts.queueName ?? QUEUE_NAME, run, {
    connection: opts.connection,
    prefix: opts.keys.prefix,
    concurrency: opts.queue.concurrency,
    lockDuration: lock,
    // Check for stalled jobs as often as a lock lasts, so a killed worker's job moves on within ~2 locks.
    stalledInterval: lock,
    maxStalledCount: 2,
  });
  worker.on('error', (e: Error) => logger.warn({ err: e.message }, 'worker connection problem'));
  worker.on('stalled', (jobId: string) =>
    logger.warn({ jobId }, 'job stalled (its worker stopped renewing the lock); handed to another worker'),
  );
  return {
    worker,
    async close(graceMs = 25_000, meanwhile) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      // Closing starts first: BullMQ stops fetching and cuts its blocking read at once, so a job that arrives
      // during `meanwhile` (a free slot's read was waiting for one) is not taken.
      const closed = worker.close().then(() => 'closed' as const);
      try {
        await meanwhile?.();
      } finally {
        const result = await Promise.race([closed, timedOut]);
        clearTimeout(timer);
        // BullMQ has no "hand back now": the process exits, the job's lock lapses, another worker resumes it.
        if (result === 'timeout')
          logger.warn({ graceMs }, 'active jobs did not finish in time; leaving them to another worker');
      }
    },
  };
}
