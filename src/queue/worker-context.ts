// What every job processor needs, passed in (never constructed inside a processor).
import type { Job } from 'bullmq';
import type { AgentDeps } from '../agent/investigate.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { SlackPoster } from '../slack/slack-poster.js';
import type { ActiveInvestigations } from './active-investigations.js';
import type { Bookkeeping } from './bookkeeping.js';
import type { ThreadIndex } from './thread-index.js';
import type { JobMessages } from './job-messages.js';
import type { JobName, JobPayload } from './jobs.js';
import type { Producer } from './producer.js';
import type { Authority } from '../workflow/decision-checks.js';
import type { ProposalStore } from '../workflow/proposal-store.js';

export interface WorkerContext {
  /** `cluster` is the one this worker serves: its queue, and the only proposals it acts on. */
  config: Pick<
    Config,
    'cluster' | 'namespaces' | 'maxIterations' | 'rolloutTimeoutSeconds' | 'slack' | 'identity'
  >;
  /** Cluster, engine and tracker shared by all jobs; each job adds its own progress sink. */
  agent: Omit<AgentDeps, 'progress'>;
  poster: SlackPoster;
  store: ProposalStore;
  /** Who may approve and roll back (and in approver mode who they are in Kubernetes), asked again at decision time. */
  authority: Authority;
  messages: JobMessages;
  /** What each thread holds (its run, its latest proposal): the bot reads it when a thread's alert resolves. */
  threads: ThreadIndex;
  active: ActiveInvestigations;
  /** Enqueues the next iteration when an applied change did not heal, and the steps a decide job hands on. */
  producer: Pick<Producer, 'addInvestigation' | 'addExpiry' | 'addApply' | 'addRollback'>;
  /** MLflow bookkeeping written after a round's result is posted, off the job's slot. */
  bookkeeping: Bookkeeping;
  metrics: Metrics;
  logger: Logger;
  /** Progress edits at most this often (ms). */
  progressIntervalMs?: number;
  /** Rollout polling interval (ms). */
  rolloutPollMs?: number;
  now?: () => number;
}

/** A processor gets the validated payload and its BullMQ job (id, attempts). */
export type Processor<N extends JobName> = (
  data: JobPayload<N>,
  job: Job,
  ctx: WorkerContext,
) => Promise<string>;
