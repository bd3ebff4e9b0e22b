// The ports the workflow works through; front ends (CLI, Slack worker) pass plain objects implementing them.
import type { Config } from '../config/config.js';
import type { Cluster } from '../k8s/cluster.js';
import type { Tracker } from '../tracking/tracker.js';
import type { AttemptRecord, KubeIdentity } from '../domain/index.js';
import type { Approval } from './approval.js';
import type { Authority, DecisionPolicy } from './decision-checks.js';
import type { ApplyOutcome } from './apply-change.js';
import type { ProposalStore } from './proposal-store.js';
import type { StoredProposal } from './proposal-record.js';
import type { Clock } from './clock.js';

/** What a step ended with, for the one place that tells people (Slack thread, terminal). */
export type StepOutcome =
  /** `as`: the approver's identity the patch was sent as (null: the worker's own); `approvals` oldest first. */
  | { kind: 'applied'; out: ApplyOutcome; by: string; as: KubeIdentity | null; approvals: Approval[] }
  | { kind: 'rolled_back'; out: ApplyOutcome; by: string; as: KubeIdentity | null }
  /** The applied change did not heal and no iterations are left. */
  | { kind: 'budget_spent'; attempts: AttemptRecord[] }
  /** Nobody decided before the TTL: the proposal loses its buttons. */
  | { kind: 'expired' };

/** The Notifier port: every message a person sees goes through one of these. */
export interface Notifier {
  /** A rollout status line, an interim note. */
  progress(record: StoredProposal, line: string): void;
  /** The proposal itself, asking for a decision. */
  proposal(record: StoredProposal): Promise<void>;
  /** Whether this front end shows approvers every byte of the change; approvals of what it cannot are refused. */
  showsWhole(record: StoredProposal): boolean;
  outcome(record: StoredProposal, outcome: StepOutcome): Promise<void>;
  /** Why a step did not happen (refused, stale, failed); says that nothing was changed when true. */
  refusal(record: StoredProposal, reason: string): Promise<void>;
}

/** The next round after an applied change did not heal (the worker enqueues it; the CLI loops). */
export type NextRound = (record: StoredProposal, attempts: AttemptRecord[]) => Promise<void>;

export type { Clock } from './clock.js';

export interface WorkflowDeps {
  store: ProposalStore;
  notifier: Notifier;
  cluster: Cluster;
  tracker: Tracker;
  authority: Authority;
  clock: Clock;
  config: Pick<Config, 'maxIterations' | 'rolloutTimeoutSeconds' | 'policy' | 'gitopsMode'>;
  decisions: DecisionPolicy;
  nextRound: NextRound;
  /** Rollout polling interval (ms). */
  rolloutPollMs?: number;
  /** The settle window after a completed rollout (s); undefined: watchRollout's default. */
  rolloutSettleSeconds?: number;
}
