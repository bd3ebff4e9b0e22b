// Enqueues jobs on the queue of the job's cluster (one BullMQ Queue per cluster) and keeps one active
// investigation per target and cluster; fails fast when Redis is down.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
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
  type DecideJob,
  type JobName,
  type JobPayload,
  type ExpireJob,
  type ResolveJob,
  type TriageJob,
  type RollbackJob,
  type SlackThread,
} from './jobs.js';
import type { ClusterKeys, KeySpace } from './key-space.js';
import { QueueError, QueueErrorCode } from './queue-error.js';
import type { RedisConnection } from './redis-connection.js';
import { within } from './within.js';

export interface InvestigationRequest {
  /** The cluster whose worker investigates (its queue, its claim on the target). */
  cluster: string;
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
  /** A click for the worker to decide (approver mode); each click is its own job. */
  addDecision(job: DecideJob): Promise<string>;
  /** A delayed job at `at` (epoch ms) that expires the proposal if nobody decided; once per proposal. */
  addExpiry(job: ExpireJob, at: number): Promise<string>;
  /** The watch on a round's bookkeeping, due at `at` (epoch ms); once per run. */
  addBookkeeping(job: BookkeepingJob, at: number): Promise<string>;
  /** The round's bookkeeping was written: its watch is not needed. */
  cancelBookkeeping(cluster: string, runId: string): Promise<void>;
  /** One triage per request (a listing, no claim: triage never changes anything). */
  addTriage(job: TriageJob): Promise<string>;
  /** A pod/ReplicaSet reference; the worker resolves it and claims the owning workload. */
  addResolve(job: ResolveJob): Promise<string>;
  /** The queue of one cluster (created on first use). */
  queue(cluster: string): Queue;
  /** The claims on targets of one cluster. */
  active(cluster: string): ActiveInvestigations;
  close(): Promise<void>;
}

export interface ProducerOptions {
  connection: RedisConnection;
  keys: KeySpace;
  queueName?: string;
  logger: Logger;
  /** How long an enqueue may take before it counts as "Redis unreachable" (default 5 s). */
  timeoutMs?: number;
}

export function unavailable(what: string, e: unknown): QueueError {
  const why = e instanceof Error ? e.message : String(e);
  return new QueueError(QueueErrorCode.Unavailable, `Could not ${what}: Redis is unreachable (${why}).`, {
    cause: e,
  });
}

interface ClusterQueue {
  keys: ClusterKeys;
  queue: Queue;
  active: ActiveInvestigations;
}

export function createProducer(opts: ProducerOptions): Producer {
  const clusters = new Map<string, ClusterQueue>();
  /** Each cluster's queue under its own hash-tagged prefix: only that cluster's workers consume it. */
  function forCluster(name: string): ClusterQueue {
    const known = clusters.get(name);
    if (known) return known;
    const keys = opts.keys.cluster(name);
    const queue = new Queue(opts.queueName ?? QUEUE_NAME, {
      connection: opts.connection,
      prefix: keys.prefix,
    });
    queue.on('error', (e: Error) =>
      opts.logger.warn({ err: e.message, cluster: name }, 'queue connection problem'),
    );
    const made = { keys, queue, active: createActiveInvestigations(opts.connection, keys) };
    clusters.set(name, made);
    return made;
  }

  async function add<N extends JobName>(
    name: N,
    data: JobPayload<N>,
    jobId: string,
    delay = 0,
  ): Promise<string> {
    const payload = JOB_SCHEMAS[name].parse(data);
    const { queue } = forCluster(payload.cluster);
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
    queue: (cluster) => forCluster(cluster).queue,
    active: (cluster) => forCluster(cluster).active,
    async addInvestigation(request, openThread) {
      const { cluster, target, requestedBy, channel, continuation, trigger } = request;
      const { active } = forCluster(cluster);
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
        // Sent before the job on the same connection, so Redis runs it first; not awaited first (one round trip).
        const pointed = active.setThread(target, jobId, threadTs).catch(() => false);
        await add(
          'investigate',
          {
            cluster,
            target,
            requestedBy,
            thread,
            requestedAt: new Date().toISOString(),
            ...(continuation ? { continuation } : {}),
            ...(trigger ? { trigger } : {}),
          },
          jobId,
        );
        await pointed;
        opts.logger.info(
          { investigationId: jobId, cluster, target: targetKey(target), requestedBy, channel, threadTs },
          'investigation enqueued',
        );
        return { kind: 'enqueued', jobId, thread };
      } catch (e) {
        await release();
        throw e;
      }
    },
    addApply: (job) => add('apply', job, jobIdFor('apply', job.proposalId)),
    addRollback: (job) => add('rollback', job, jobIdFor('rollback', `${job.proposalId}-${Date.now()}`)),
    addDecision: (job) =>
      add(
        'decide',
        job,
        jobIdFor('decide', `${job.proposalId}-${job.userId}-${randomBytes(4).toString('hex')}`),
      ),
    addExpiry: (job, at) =>
      add('expire', job, jobIdFor('expire', job.proposalId), Math.max(0, at - Date.now())),
    addBookkeeping: (job, at) =>
      add('bookkeeping', job, jobIdFor('bookkeeping', job.runId), Math.max(0, at - Date.now())),
    async cancelBookkeeping(cluster, runId) {
      const { queue } = forCluster(cluster);
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
      await Promise.all([...clusters.values()].map((c) => c.queue.close()));
    },
  };
}
