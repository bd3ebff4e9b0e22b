// A workflow wired for tests: in-memory store, a recording notifier, the real cluster, rules engine, no tracking.
import type { KubeObject, Proposal, Target } from '../../../src/domain/index.js';
import { investigate } from '../../../src/agent/investigate.js';
import { createRulesEngine } from '../../../src/agent/diagnose/rules/rules-engine.js';
import { loadConfig } from '../../../src/config/config.js';
import type { Cluster } from '../../../src/k8s/cluster.js';
import { NoopTracker } from '../../../src/tracking/no-op-tracker.js';
import { createMemoryProposalStore } from '../../../src/workflow/memory-proposal-store.js';
import { oneClusterPolicy } from '../../../src/workflow/decision-checks.js';
import { proposalIdFor, type StoredProposal } from '../../../src/workflow/proposal-record.js';
import type { StepOutcome, WorkflowDeps } from '../../../src/workflow/workflow-ports.js';

export interface Notes {
  refusals: string[];
  outcomes: StepOutcome[];
  rounds: number;
}

export const APPROVER = 'UAPPROVER';
export const REQUESTER = 'UREQUESTER';

/** Workflow deps over `cluster`; `over` replaces single ports (decisions, authority…). */
export function workflowHarness(
  cluster: Cluster,
  namespace: string,
  over: Partial<WorkflowDeps> = {},
): { deps: WorkflowDeps; notes: Notes } {
  const notes: Notes = { refusals: [], outcomes: [], rounds: 0 };
  const config = loadConfig({ AUTOFIX_NAMESPACES: namespace });
  const deps: WorkflowDeps = {
    store: createMemoryProposalStore(),
    notifier: {
      progress: () => undefined,
      proposal: async () => undefined,
      showsWhole: () => true,
      outcome: async (_r, o) => void notes.outcomes.push(o),
      refusal: async (_r, reason) => void notes.refusals.push(reason),
    },
    cluster,
    tracker: new NoopTracker(),
    authority: { isApprover: async (u) => u === APPROVER || u === REQUESTER },
    clock: { now: Date.now },
    config: { maxIterations: 3, rolloutTimeoutSeconds: 60, policy: config.policy },
    decisions: oneClusterPolicy('default', [namespace], true),
    nextRound: async () => void notes.rounds++,
    rolloutPollMs: 250,
    ...over,
  };
  return { deps, notes };
}

/**
 * Investigates `target` with the rule engine and stores its proposal (`proposed`); `cluster` is what the
 * investigation reads and dry-runs through (default the workflow's; `dryRunDeferred`: no dry-run), `requestedBy` who asked.
 */
export async function propose(
  deps: WorkflowDeps,
  target: Target,
  opts: {
    cluster?: Cluster;
    /** The cluster the proposal is recorded for (the harness's worker serves `default`). */
    clusterName?: string;
    dryRunDeferred?: string | null;
    requestedBy?: string;
    tamper?: (p: Proposal) => Proposal;
  } = {},
): Promise<StoredProposal> {
  const config = loadConfig({ AUTOFIX_NAMESPACES: target.namespace });
  const tamper = opts.tamper ?? ((p: Proposal) => p);
  const inv = await investigate(target, {
    cluster: opts.cluster ?? deps.cluster,
    dryRunDeferred: opts.dryRunDeferred ?? null,
    engine: createRulesEngine(),
    tracker: new NoopTracker(),
    config,
  });
  if (inv.outcome !== 'proposed' || !inv.proposal)
    throw new Error(`expected a proposal for ${target.name}, got ${inv.outcome}`);
  const now = Date.now();
  const { record } = await deps.store.save({
    id: proposalIdFor(`${target.namespace}/${target.name}/${now}`),
    jobId: `job-${now}`,
    cluster: opts.clusterName ?? 'default',
    target,
    proposal: tamper(inv.proposal),
    diagnosis: inv.diagnosis,
    runId: null,
    runUrl: null,
    thread: { channel: 'C1', threadTs: '1.1', teamId: 'T1' },
    requestedBy: opts.requestedBy ?? REQUESTER,
    iteration: 1,
    attempts: [],
    requestedAt: now,
    createdAt: now,
    expiresAt: now + 600_000,
  });
  return record;
}

/** Investigates `target` with the rule engine and stores its proposal, approved by `approver`. */
export async function proposeAndApprove(
  deps: WorkflowDeps,
  target: Target,
  approver = APPROVER,
  tamper: (p: Proposal) => Proposal = (p) => p,
  /** The cluster the proposal is recorded for (the harness's worker serves `default`). */
  clusterName = 'default',
): Promise<StoredProposal> {
  const record = await propose(deps, target, { tamper, clusterName });
  const now = Date.now();
  await deps.store.transition(record.id, {
    from: ['proposed'],
    to: 'approved',
    fields: { decidedBy: approver, decidedAt: String(now) },
  });
  return (await deps.store.get(record.id))!;
}

export const templateOf = (d: KubeObject): unknown =>
  (d.spec as { template?: unknown } | undefined)?.template;
