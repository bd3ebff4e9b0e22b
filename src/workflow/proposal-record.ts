// A stored proposal and its life cycle: the states, the legal transitions, and the Redis hash encoding.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  AttemptRecord,
  ClusterField,
  Diagnosis,
  KubeObject,
  LlmSpend,
  Proposal,
  Target,
} from '../domain/index.js';
import { Approval } from './approval.js';

/** Where the proposal was shown: a chat thread (Slack) or, for the CLI, the terminal ("cli"). */
export const ProposalThread = z.object({
  channel: z.string().min(1),
  threadTs: z.string().min(1),
  /** The workspace (Slack team id) the proposal was posted in; a click from another one is refused. */
  teamId: z.string().min(1).nullable().default(null),
});
export type ProposalThread = z.infer<typeof ProposalThread>;

export const ProposalState = z.enum([
  'proposed',
  'approved',
  'rejected',
  'expired',
  'applying',
  'applied',
  'apply_failed',
  'rolling_back',
  'rolled_back',
  'rollback_failed',
  'stale',
]);
export type ProposalState = z.infer<typeof ProposalState>;

/** Every legal move; anything else is refused by the store's atomic transition. */
export const TRANSITIONS: Readonly<Record<ProposalState, readonly ProposalState[]>> = {
  proposed: ['approved', 'rejected', 'expired', 'stale'],
  // An approval whose re-checks fail at decision time ends without an apply.
  approved: ['applying', 'apply_failed', 'stale'],
  applying: ['applied', 'apply_failed', 'stale'],
  applied: ['rolling_back'],
  apply_failed: [],
  rejected: [],
  expired: [],
  rolling_back: ['rolled_back', 'rollback_failed'],
  rollback_failed: ['rolling_back'],
  rolled_back: [],
  stale: [],
};

export function canTransition(from: ProposalState, to: ProposalState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The part written once, when the worker proposes (the proposal is fully redacted: safe to store). */
export const ProposalRecord = z.object({
  id: z.string().min(1),
  jobId: z.string().min(1),
  /** The cluster the target lives on: decisions go to that cluster's workers (records before clusters: default). */
  cluster: ClusterField,
  target: Target,
  proposal: Proposal,
  diagnosis: Diagnosis.nullable(),
  runId: z.string().nullable(),
  runUrl: z.string().nullable(),
  thread: ProposalThread,
  requestedBy: z.string(),
  /** The iteration that produced this proposal, and the failed attempts before it (for a next iteration). */
  iteration: z.number().int().min(1),
  attempts: z.array(AttemptRecord),
  /** The investigation's LLM calls so far (the footer; a next round's ceilings count them); absent: none known. */
  llm: LlmSpend.nullable().optional(),
  /** Epoch milliseconds: when the investigation was requested (time_to_healthy counts from it), and saved. */
  requestedAt: z.number().int().nullable().default(null),
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
});
export type ProposalRecord = z.infer<typeof ProposalRecord>;

/** Fields that change with the state; all strings in the Redis hash. */
export const MUTABLE_FIELDS = [
  'messageTs',
  'decidedBy',
  'decidedAt',
  'rolledBackBy',
  'detail',
  'appliedTemplate',
  'approvals',
] as const;
export type MutableField = (typeof MUTABLE_FIELDS)[number];

export interface StoredProposal extends ProposalRecord {
  state: ProposalState;
  /** The proposal message in the thread, once posted. */
  messageTs: string | null;
  /** Who approved, rejected (or let expire: "") and when (epoch ms). */
  decidedBy: string | null;
  decidedAt: number | null;
  rolledBackBy: string | null;
  /** A short note on the last step (rollout message, refusal reason). */
  detail: string | null;
  /** The pod template kube-autofix applied, as the server returned it: rollback is safe only while it is live. */
  appliedTemplate: AppliedTemplate | null;
  /** Every approval recorded so far, oldest first (two-person: one until the second approver clicks). */
  approvals: Approval[];
  updatedAt: number;
}

/** The applied template, redacted (to say what changed since) and as a digest of the real one (to compare). */
export const AppliedTemplate = z.object({
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  redacted: KubeObject,
});
export type AppliedTemplate = z.infer<typeof AppliedTemplate>;

/** Proposal ids derive from the investigation job id: a retried job finds its own proposal again. */
export function proposalIdFor(jobId: string): string {
  return `p${createHash('sha256').update(jobId).digest('hex').slice(0, 20)}`;
}

/** The hash written by `save`. */
export function encodeRecord(record: ProposalRecord, now: number): Record<string, string> {
  return {
    record: JSON.stringify(ProposalRecord.parse(record)),
    state: 'proposed',
    expiresAt: String(record.expiresAt),
    updatedAt: String(now),
  };
}

const nonEmpty = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);

/** A hash as read back; null when the hash is empty (missing key). Throws ZodError on a corrupt record. */
export function decodeRecord(hash: Record<string, string>): StoredProposal | null {
  if (!hash.record) return null;
  const base = ProposalRecord.parse(JSON.parse(hash.record));
  const decidedAt = nonEmpty(hash.decidedAt);
  return {
    ...base,
    state: ProposalState.parse(hash.state),
    messageTs: nonEmpty(hash.messageTs),
    decidedBy: nonEmpty(hash.decidedBy),
    decidedAt: decidedAt === null ? null : Number(decidedAt),
    rolledBackBy: nonEmpty(hash.rolledBackBy),
    detail: nonEmpty(hash.detail),
    appliedTemplate: hash.appliedTemplate ? AppliedTemplate.parse(JSON.parse(hash.appliedTemplate)) : null,
    approvals: hash.approvals ? z.array(Approval).parse(JSON.parse(hash.approvals)) : [],
    updatedAt: Number(hash.updatedAt ?? base.createdAt),
  };
}

/** A flat [k1, v1, k2, v2, …] reply (HGETALL from Lua) → an object. */
export function pairsToHash(flat: readonly unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}
