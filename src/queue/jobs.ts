// Job names and payloads of the autofix queues, defined once with zod (bot → Redis → worker). Every job names
// its cluster: the producer routes by it, and a worker refuses a job of another cluster.
import { z } from 'zod';
import {
  AlertTrigger,
  AttemptRecord,
  ClusterName,
  DNS1123_LABEL,
  LlmSpend,
  Target,
  TargetRef,
} from '../domain/index.js';
import { ProposalThread } from '../workflow/proposal-record.js';

export const QUEUE_NAME = 'autofix';

/** Where in Slack a job reports: the channel, the investigation's parent message (the thread), the team. */
export const SlackThread = ProposalThread;
export type SlackThread = ProposalThread;

/** Set when an applied change did not heal the workload: the next iteration continues the same run. */
export const Continuation = z.object({
  runId: z.string().nullable(),
  firstIteration: z.number().int().min(2),
  attempts: z.array(AttemptRecord),
  /** The LLM usage of the rounds before (absent in jobs queued before it was recorded): the ceilings count it. */
  spent: LlmSpend.optional(),
});
export type Continuation = z.infer<typeof Continuation>;

export const InvestigateJob = z.object({
  cluster: ClusterName,
  target: Target,
  requestedBy: z.string().min(1),
  thread: SlackThread,
  requestedAt: z.string(),
  continuation: Continuation.optional(),
  /** Set when an Alertmanager alert, not a person, started the investigation. */
  trigger: AlertTrigger.optional(),
});
export type InvestigateJob = z.infer<typeof InvestigateJob>;

export const ApplyJob = z.object({
  /** The proposal's cluster: approvals go home, to a worker of that cluster. */
  cluster: ClusterName,
  proposalId: z.string().min(1),
  approvedBy: z.string().min(1),
});
export type ApplyJob = z.infer<typeof ApplyJob>;

export const RollbackJob = z.object({
  cluster: ClusterName,
  proposalId: z.string().min(1),
  requestedBy: z.string().min(1),
});
export type RollbackJob = z.infer<typeof RollbackJob>;

/**
 * AUTOFIX_APPLY_AS=approver: a click the bot checked as far as it can without the cluster; the worker
 * decides it with a SubjectAccessReview (and answers the clicker privately).
 */
export const DecideJob = z.object({
  /** The proposal's cluster: only its worker can ask that cluster's authorizer. */
  cluster: ClusterName,
  proposalId: z.string().min(1),
  decision: z.enum(['approve', 'reject', 'rollback']),
  userId: z.string().min(1),
  /** Where the click came from: re-checked against the proposal's thread. */
  channelId: z.string().nullable(),
  teamId: z.string().nullable(),
});
export type DecideJob = z.infer<typeof DecideJob>;

/** Delayed until the proposal's expiry: takes the buttons off an undecided proposal. */
export const ExpireJob = z.object({ cluster: ClusterName, proposalId: z.string().min(1) });
export type ExpireJob = z.infer<typeof ExpireJob>;

/**
 * Delayed past the bookkeeping deadline, added just before a round posts its result and removed once the
 * round's MLflow bookkeeping is written: it only runs when the worker died in between, and completes the run.
 */
export const BookkeepingJob = z.object({
  /** The worker's own cluster: the watch runs on that cluster's queue. */
  cluster: ClusterName,
  runId: z.string().min(1),
  /** The round's outcome as posted: proposed, healthy, no_safe_fix. */
  outcome: z.string().min(1),
  proposalId: z.string().min(1).nullable(),
});
export type BookkeepingJob = z.infer<typeof BookkeepingJob>;

/** `/autofix -n <ns>`: list the namespace's unhealthy workloads in the channel (bounded, no logs). */
export const TriageJob = z.object({
  cluster: ClusterName,
  namespace: z.string().max(63).regex(DNS1123_LABEL),
  requestedBy: z.string().min(1),
  channel: z.string().min(1),
  teamId: z.string().nullable(),
  requestedAt: z.string(),
});
export type TriageJob = z.infer<typeof TriageJob>;

/** `/autofix pod/<name>`: resolve to the owning workload in the thread, then investigate it there. */
const ResolveThenInvestigate = z.object({
  cluster: ClusterName,
  then: z.literal('investigate').optional(),
  ref: TargetRef,
  requestedBy: z.string().min(1),
  thread: SlackThread,
  requestedAt: z.string(),
  /** An alert naming a pod: carried on to the owning workload's investigation. */
  trigger: AlertTrigger.optional(),
});

/** `/autofix history pod/<name>`: resolve, then show the workload's history to the requester only (no thread). */
const ResolveThenHistory = z.object({
  cluster: ClusterName,
  then: z.literal('history'),
  ref: TargetRef,
  requestedBy: z.string().min(1),
  channel: z.string().min(1),
  teamId: z.string().nullable(),
  requestedAt: z.string(),
});

/** The bot cannot read the cluster, so the worker resolves pod/ReplicaSet references for both. */
export const ResolveJob = z.union([ResolveThenHistory, ResolveThenInvestigate]);
export type ResolveJob = z.infer<typeof ResolveJob>;
export type ResolveForHistory = z.infer<typeof ResolveThenHistory>;

export const JOB_SCHEMAS = {
  investigate: InvestigateJob,
  apply: ApplyJob,
  rollback: RollbackJob,
  decide: DecideJob,
  expire: ExpireJob,
  triage: TriageJob,
  resolve: ResolveJob,
  bookkeeping: BookkeepingJob,
} as const;
export type JobName = keyof typeof JOB_SCHEMAS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOB_SCHEMAS)[N]>;

/** BullMQ custom job ids must not contain ':'; `__` keeps them readable. */
export function jobIdFor(name: JobName, key: string): string {
  return `${name}__${key.replace(/[^a-zA-Z0-9._-]/g, '_')}`;
}
