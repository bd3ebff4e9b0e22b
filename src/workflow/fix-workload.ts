// The in-process front of the workflow (CLI `fix`, eval): rounds of investigate → store → notify → approve, same steps as the worker.
import {
  ErrorCode,
  isAutofixError,
  type AttemptRecord,
  type InvestigationResult,
  type Target,
} from '../domain/index.js';
import {
  investigate,
  toResult,
  type AgentDeps,
  type Investigation,
  type InvestigateOptions,
} from '../agent/investigate.js';
import type { ApplyOutcome } from './apply-change.js';
import { applyApproved } from './approve.js';
import { oneClusterPolicy, type Authority } from './decision-checks.js';
import { decide } from './decide.js';
import { createMemoryProposalStore } from './memory-proposal-store.js';
import type { StoredProposal } from './proposal-record.js';
import { proposeRound } from './round.js';
import type { ProposalStore } from './proposal-store.js';
import type { Notifier, WorkflowDeps } from './workflow-ports.js';

/** Asked for every stored proposal; resolves to the approver's name, or null when declined. */
export type Approve = (record: StoredProposal, inv: Investigation) => Promise<string | null>;

export interface FixPorts {
  notifier: Notifier;
  approve: Approve;
  /** Defaults to an in-memory store: a process that asks and applies itself keeps nothing between runs. */
  store?: ProposalStore;
  /** Defaults to "whoever answers `approve`": the person at the terminal is the approver. */
  authority?: Authority;
  /** AUTOFIX_NAMESPACES, re-checked at decision time as the worker does. */
  namespaces: readonly string[];
  /** AUTOFIX_CLUSTER: the name the kubeconfig's cluster goes by in proposals and runs. */
  cluster: string;
  /** Who asked for the fix (the record's requester); defaults to "cli". */
  requestedBy?: string;
  /** Rollout polling and settle window; defaults: the workflow's. */
  rollout?: { pollMs?: number; settleSeconds?: number };
}

export interface FixResult {
  result: InvestigationResult;
  investigation: Investigation;
  applied: ApplyOutcome | null;
}

/** What the workflow's ports reported during one apply, for the result this front end returns. */
interface Seen {
  out: ApplyOutcome | null;
  refusal: string | null;
  next: AttemptRecord[] | null;
}

function workflowDeps(deps: AgentDeps, ports: FixPorts, store: ProposalStore, seen: Seen): WorkflowDeps {
  const notifier = ports.notifier;
  return {
    store,
    notifier: {
      progress: (r, line) => notifier.progress(r, line),
      proposal: (r) => notifier.proposal(r),
      showsWhole: (r) => notifier.showsWhole(r),
      async outcome(r, o) {
        if (o.kind === 'applied') seen.out = o.out;
        await notifier.outcome(r, o);
      },
      async refusal(r, reason) {
        seen.refusal = reason;
        await notifier.refusal(r, reason);
      },
    },
    cluster: deps.cluster,
    tracker: deps.tracker,
    authority: ports.authority ?? { isApprover: async () => true },
    clock: { now: Date.now },
    config: deps.config,
    decisions: oneClusterPolicy(ports.cluster, ports.namespaces, true),
    nextRound: async (_record, attempts) => {
      seen.next = attempts;
    },
    rolloutPollMs: ports.rollout?.pollMs,
    rolloutSettleSeconds: ports.rollout?.settleSeconds,
  };
}

/** Asks for a decision on the announced proposal, decides it through the one decision step, and applies. */
async function decideAndApply(
  wf: WorkflowDeps,
  ports: FixPorts,
  record: StoredProposal,
  inv: Investigation,
): Promise<string | null> {
  const by = await ports.approve(record, inv);
  const res = await decide(wf, record.id, by ? 'approve' : 'reject', by ?? '');
  if (!by) return null;
  if (res.kind === 'refused') {
    await wf.notifier.refusal(record, res.reason);
    return 'refused';
  }
  // One attempt: a person is waiting, so a failure is reported rather than retried.
  return applyApproved(wf, record.id, by, { finalAttempt: true });
}

const ended = (
  inv: Investigation,
  applied: ApplyOutcome | null,
  extra: Parameters<typeof toResult>[1] = {},
): FixResult => ({ result: toResult(inv, extra), investigation: inv, applied });

/** Runs rounds until healthy, declined, refused, or the iteration budget is spent. */
export async function fixWorkload(
  target: Target,
  deps: AgentDeps,
  ports: FixPorts,
  given: InvestigateOptions = {},
): Promise<FixResult> {
  const opts: InvestigateOptions = { clusterName: ports.cluster, ...given };
  const store = ports.store ?? createMemoryProposalStore();
  const seen: Seen = { out: null, refusal: null, next: null };
  const wf = workflowDeps(deps, ports, store, seen);
  const requestedAt = Date.now();
  let first = opts.firstIteration ?? 1;
  let inv = await investigate(target, deps, opts);
  let applied: ApplyOutcome | null = null;
  while (inv.outcome === 'proposed' && inv.proposal) {
    const id = `cli-${inv.run.runId ?? 'local'}-${first}`;
    const record = await proposeRound({ ...wf, scheduleExpiry: async () => undefined }, inv, {
      proposalId: id,
      jobId: id,
      cluster: ports.cluster,
      thread: { channel: 'cli', threadTs: 'cli', teamId: null },
      requestedBy: ports.requestedBy ?? 'cli',
      requestedAt,
      firstIteration: first,
      // Decided in this process, now: the TTL only has to outlive the prompt.
      ttlMs: 24 * 3600 * 1000,
    });
    Object.assign(seen, { out: null, refusal: null, next: null });
    let word: string | null;
    try {
      word = await decideAndApply(wf, ports, record, inv);
    } catch (e) {
      // Refused before any write: the result keeps the proposal and its patch to commit.
      if (!isAutofixError(e) || e.code !== ErrorCode.GitOpsManaged) throw e;
      await inv.run.setTags({ 'autofix.decision': 'refused_gitops' });
      return ended(inv, null, { outcome: 'refused', error: e.describe() });
    }
    if (word === null) break;
    applied = seen.out;
    if (word === 'fixed') return ended(inv, applied, { outcome: 'fixed', apply: applied });
    if (word !== 'not_fixed') return ended(inv, applied, { outcome: 'refused', error: seen.refusal });
    if (!seen.next) break;
    first = record.iteration + 1;
    const remaining = deps.config.maxIterations - record.iteration;
    inv = await investigate(
      target,
      { ...deps, config: { ...deps.config, maxIterations: remaining } },
      {
        ...opts,
        run: inv.run,
        previousAttempts: seen.next,
        firstIteration: first,
        startedAt: inv.startedAt,
        ...(inv.llm ? { spent: inv.llm } : {}),
      },
    );
  }
  return applied && !applied.rolloutHealthy
    ? ended(inv, applied, { outcome: 'not_fixed', apply: applied })
    : ended(inv, applied);
}
