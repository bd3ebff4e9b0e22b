// The end of a round, shared by the worker and the CLI: the proposal built from an investigation, stored, announced, its expiry scheduled.
import type { Investigation } from '../agent/investigate.js';
import type { ProposalRecord, ProposalThread, StoredProposal } from './proposal-record.js';
import type { ProposalStore } from './proposal-store.js';
import type { Clock } from './clock.js';
import type { Notifier } from './workflow-ports.js';

export interface RoundRequest {
  /** The proposal's id and the job (or CLI run) it belongs to. */
  proposalId: string;
  jobId: string;
  /** The cluster investigated (the worker's AUTOFIX_CLUSTER; the CLI's too). */
  cluster: string;
  thread: ProposalThread;
  requestedBy: string;
  /** Epoch ms of the request (time to healthy counts from it); null when unknown. */
  requestedAt: number | null;
  /** The first iteration this investigation ran (a continuation starts past 1). */
  firstIteration: number;
  /** How long the proposal waits for a decision. */
  ttlMs: number;
}

export interface RoundDeps {
  store: ProposalStore;
  notifier: Pick<Notifier, 'proposal'>;
  clock: Clock;
  /** Arranges the expiry at `record.expiresAt` (the worker: a delayed job; the CLI decides at once: nothing). */
  scheduleExpiry(record: StoredProposal): Promise<void>;
}

/** The record a proposing investigation is stored as (the proposal is fully redacted: safe to store). */
export function proposalRecordOf(inv: Investigation, req: RoundRequest, now: number): ProposalRecord {
  if (!inv.proposal) throw new Error('proposalRecordOf: the investigation made no proposal');
  return {
    id: req.proposalId,
    jobId: req.jobId,
    cluster: req.cluster,
    target: inv.target,
    proposal: inv.proposal,
    diagnosis: inv.diagnosis,
    runId: inv.run.runId,
    runUrl: inv.run.runUrl,
    thread: req.thread,
    requestedBy: req.requestedBy,
    iteration: req.firstIteration + inv.iterations - 1,
    attempts: inv.attempts.map((a) => ({ iteration: a.iteration, change: a.change, errors: a.errors })),
    llm: inv.llm,
    requestedAt: req.requestedAt,
    createdAt: now,
    expiresAt: now + req.ttlMs,
  };
}

/** Stores the proposal (a retried job finds its own), announces it and schedules its expiry. */
export async function proposeRound(
  deps: RoundDeps,
  inv: Investigation,
  req: RoundRequest,
): Promise<StoredProposal> {
  const now = deps.clock.now();
  const { record } = await deps.store.save(proposalRecordOf(inv, req, now), now);
  await deps.notifier.proposal(record);
  await deps.scheduleExpiry(record);
  return record;
}
