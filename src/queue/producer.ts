// Enqueues jobs (BullMQ Queue) and keeps one active investigation per target; fails fast when Redis is down.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AlertTrigger, Target } from '../domain/index.js';
import { targetKey } from '../domain/index.js';
import type { Logger } from '../observability/logger.js';
import {
  createActiveInvestigations,
  type ActiveInvestigation,
  type ActiveInvestigations,
} from './active-investigations.js';
import { JOB_OPTIONS } from './job-options.js';
import {
  JOB_SCHEMAS,
  QUEUE_NAME,
  jobIdFor,
  type ApplyJob,
  type BookkeepingJob,
  type Continuation,
  type JobName,
  type ExpireJob,
  type ResolveJob,
  type TriageJob,
  type RollbackJob,
  type SlackThread,
} from './jobs.js';
import type { KeySpace } from './key-space.js';
import { QueueError, QueueErrorCode } from './queue-error.js';

export interface InvestigationRequest {
  target: Target;
  requestedBy: string;
  channel: string;
  /** The Slack workspace the request came from; clicks from another one are refused. */
  teamId?: string | null;
  /** A next iteration after an applied change did not heal (posted in the same thread). */
  continuation?: Continuation;
  /** The alert that asked (an Alertmanager webhook), carried to the run's tags and story. */
  trigger?: AlertTrigger;
}

export type AddInvestigationResult =
  | { kind: 'enqueued'; jobId: string; thread: SlackThread }
  /** Another investigation of the target is running; `running.threadTs` is null while it is starting. */
  | { kind: 'already_running'; running: ActiveInvestigation | null };

export interface Producer {
  /**
   * Claims the target, calls `openThread` (posts the parent message, returns its ts), enqueues the job.
   * The claim is released if posting or enqueueing fails.
   */
  addInvestigation(
    request: InvestigationRequest,
    openThread: () => Promise<string>,
  ): Promise<AddInvestigationResult>;
  /** Idempotent per proposal: a second add while the first job exists is a no-op. */
  addApply(job: ApplyJob): Promise<string>;
  addRollback(job: RollbackJob): Promise<string>;
  /** A delayed job at `at` (epoch ms) that expires the proposal if nobody decided; once per proposal. */
  addExpiry(job: ExpireJob, at: number): Promise<string>;
  /** The watch on a round's bookkeeping, due at `at` (epoch ms); once per run. */
  addBookkeeping(job: BookkeepingJob, at: number): Promise<string>;
  /** The round's bookkeeping was written: its watch is not needed. */
  cancelBookkeeping(runId: string): Promise<void>;
  /** One triage per request (a listing, no claim: triage never changes anything). */
  addTriage(job: TriageJob): Promise<string>;
  /** A pod/ReplicaSet reference; the worker resolves it and claims the owning workload. */
  addResolve(job: ResolveJob): Promise<string>;
  readonly queue: Queue;
  readonly active: ActiveInvestigations;
  close(): Promise<void>;
}

export interface ProducerOptions {
  connection: Redis;
  keys: KeySpace;
  queueName?: string;
  logger: Logger;
  /** How long an enqueue may take before it counts as "Redis unreachable" (default 5 s). */
  timeoutMs?: number;
}

/** Rejects after `ms`: a Queue that has never reached Redis would otherwise wait for it forever. */
export function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function unavailable(what: string, e: unknown): QueueError {
  const why = e instanceof Error ? e.message : String(e);
  return new QueueError(QueueErrorCode.Unavailable, `Could not ${what}: Redis is unreachable (${why}).`, {
    cause: e,
  });
}

export function createProducer(opts: ProducerOptions): Producer {
  const queue = new Queue(opts.queueName ?? QUEUE_NAME, {
    connection: opts.connection,
    prefix: opts.keys.prefix,
  });
  queue.on('error', (e: Error) => opts.logger.warn({ err: e.message }, 'queue connection problem'));
  const active = createActiveInvestigations(opts.connection, opts.keys);

  async function add<N extends JobName>(name: N, data: unknown, jobId: string, delay = 0): Promise<string> {
    const payload = JOB_SCHEMAS[name].parse(data);
    try {
      const job = await within(
        opts.timeoutMs ?? 5000,
        queue.add(name, payload, { ...JOB_OPTIONS[name], jobId, ...(delay > 0 ? { delay } : {}) }),
      );
      return job.id ?? jobId;
    } catch (e) {
      throw unavailable(`enqueue the ${name} job`, e);
    }
  }

  return {
    queue,
    active,
    async addInvestigation(request, openThread) {
      const { target, requestedBy, channel, continuation, trigger } = request;
      const jobId = jobIdFor('investigate', `${targetKey(target)}-${randomBytes(6).toString('hex')}`);
      let claim;
      try {
        claim = await active.claim(target, { channel, requestedBy, owner: jobId });
      } catch (e) {
        throw unavailable('start the investigation', e);
      }
      if (!claim.claimed) return { kind: 'already_running', running: claim.running };
      const release = (): Promise<unknown> => active.release(target, jobId).catch(() => false);
      try {
        const threadTs = await openThread();
        const thread = { channel, threadTs, teamId: request.teamId ?? null };
        await active.setThread(target, jobId, threadTs).catch(() => false);
        await add(
          'investigate',
          {
            target,
            requestedBy,
            thread,
            requestedAt: new Date().toISOString(),
            ...(continuation ? { continuation } : {}),
            ...(trigger ? { trigger } : {}),
          },
          jobId,
        );
        opts.logger.info({ jobId, target: targetKey(target), requestedBy }, 'investigation enqueued');
        return { kind: 'enqueued', jobId, thread };
      } catch (e) {
        await release();
        throw e;
      }
    },
    addApply: (job) => add('apply', job, jobIdFor('apply', job.proposalId)),
    addRollback: (job) => add('rollback', job, jobIdFor('rollback', `${job.proposalId}-${Date.now()}`)),
    addExpiry: (job, at) =>
      add('expire', job, jobIdFor('expire', job.proposalId), Math.max(0, at - Date.now())),
    addBookkeeping: (job, at) =>
      add('bookkeeping', job, jobIdFor('bookkeeping', job.runId), Math.max(0, at - Date.now())),
    async cancelBookkeeping(runId) {
      await within(opts.timeoutMs ?? 5000, queue.remove(jobIdFor('bookkeeping', runId)));
    },
    addTriage: (job) =>
      add('triage', job, jobIdFor('triage', `${job.namespace}-${randomBytes(6).toString('hex')}`)),
    addResolve: (job) =>
      add(
        'resolve',
        job,
        jobIdFor('resolve', `${job.ref.kind}-${job.ref.name}-${randomBytes(6).toString('hex')}`),
      ),
    async close() {
      await queue.close();
    },
  };
}
