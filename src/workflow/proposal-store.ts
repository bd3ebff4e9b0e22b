// The ProposalStore port: proposals and their atomic state transitions (Redis with Lua, or in memory).
import { CodedError } from '../domain/index.js';
import type { Approval } from './approval.js';
import type { MutableField, ProposalRecord, ProposalState, StoredProposal } from './proposal-record.js';

/** How long a record is kept after its last change, so Rollback still works days later. */
export const RETENTION_SECONDS = 7 * 24 * 3600;

export type TransitionResult =
  /** This call made the move; `previous` is the state it moved from. */
  | { kind: 'ok'; record: StoredProposal; previous: ProposalState }
  /** Another call got there first, or the move is not legal from the current state. */
  | { kind: 'conflict'; record: StoredProposal }
  /** The proposal was past its expiry: this call moved it to `expired` instead. */
  | { kind: 'expired'; record: StoredProposal; previous: ProposalState }
  | { kind: 'missing' };

export interface TransitionRequest {
  from: readonly ProposalState[];
  to: ProposalState;
  fields?: Partial<Record<MutableField, string>>;
  /** Refuse (and move to `expired`) when now is past `expiresAt`; for decisions on a proposed change. */
  honourExpiry?: boolean;
  now?: number;
}

export type ApprovalResult =
  /** This approval was the last one needed: the proposal is now `approved` (decidedBy = this approver). */
  | { kind: 'approved'; record: StoredProposal }
  /** Counted; more approvers are needed (`record.approvals` has them all). */
  | { kind: 'recorded'; record: StoredProposal }
  /** This person already approved it: a second click does not count twice. */
  | { kind: 'duplicate'; record: StoredProposal }
  /** This person may not approve it (the requester, when self-approval is off). */
  | { kind: 'refused'; record: StoredProposal }
  /** Not `proposed` any more (decided, expired earlier…). */
  | { kind: 'conflict'; record: StoredProposal }
  /** Past its expiry: this call moved it to `expired`. */
  | { kind: 'expired'; record: StoredProposal }
  | { kind: 'missing' };

export interface ApprovalRule {
  /** Distinct approvers needed (two-person rule: 2). */
  needed: number;
  /** Slack users whose approval never counts (the requester when AUTOFIX_SELF_APPROVAL=false). */
  refuse: readonly string[];
  now: number;
}

export interface ProposalStore {
  /** Stores a new proposal as `proposed`; an existing one (a retried job) is left as it is and returned. */
  save(record: ProposalRecord, now?: number): Promise<{ created: boolean; record: StoredProposal }>;
  get(id: string): Promise<StoredProposal | null>;
  /** One atomic compare-and-set: the move happens only from one of `from`, at most once. */
  transition(id: string, request: TransitionRequest): Promise<TransitionResult>;
  /**
   * One atomic approval: refused from anyone in `rule.refuse` and counted once per person; the one
   * that makes `rule.needed` distinct approvals moves the proposal to `approved` (honouring expiry).
   */
  recordApproval(id: string, approval: Approval, rule: ApprovalRule): Promise<ApprovalResult>;
  /** Records the proposal message; the first caller wins and everyone learns the winning ts. */
  attachMessage(id: string, ts: string): Promise<{ won: boolean; messageTs: string }>;
}

export const StoreErrorCode = {
  /** The store cannot be reached right now. */
  Unavailable: 'STORE_UNAVAILABLE',
  /** The proposal is not (or no longer) stored. */
  ProposalNotFound: 'PROPOSAL_NOT_FOUND',
  /** A stored record did not parse: written by an incompatible version or corrupted. */
  CorruptRecord: 'STORE_CORRUPT_RECORD',
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

export class StoreError extends CodedError<StoreErrorCode> {
  constructor(code: StoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'StoreError';
  }

  get transient(): boolean {
    return this.code === StoreErrorCode.Unavailable;
  }
}

/** The mutable fields of a transition as [field, value] pairs, in a fixed order. */
export function fieldPairs(
  fields: Partial<Record<MutableField, string>> = {},
  order: readonly MutableField[],
): Array<[MutableField, string]> {
  return order.flatMap((f) => (fields[f] === undefined ? [] : [[f, fields[f]] as [MutableField, string]]));
}
