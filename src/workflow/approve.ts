// approve → applying → applied | apply_failed | stale: re-check, apply (or adopt a landed patch), watch, record.
import { rolloutPatch } from '../tracking/story-patches.js';
import { rolloutLabels, verdictLabels } from '../tracking/outcome-labels.js';
import { AutofixError, ErrorCode, describeIdentity, isAutofixError, isCodedError } from '../domain/index.js';
import { finishRun } from './finish-run.js';
import type { KubeObject } from '../domain/index.js';
import {
  applyProposal,
  applyReport,
  captureTemplate,
  type ApplyDeps,
  type ApplyOutcome,
} from './apply-change.js';
import { checkDecision, clusterRefusal } from './decision-checks.js';
import { clusterActingAs, type ActingAs } from './acting-as.js';
import { approvalsNeeded, type Approval } from './approval.js';
import type { StoredProposal } from './proposal-record.js';
import { StoreError, StoreErrorCode } from './proposal-store.js';
import { openStep } from './open-step.js';
import { patchLanded, watchRollout } from './watch-rollout.js';
import type { WorkflowDeps } from './workflow-ports.js';

type Go = { go: 'apply' } | { go: 'adopt'; generation: number; live: KubeObject };
type Claim = (Go & { acting: Acting }) | { go: 'skip'; outcome: string };

/** Who the apply acts as, and every approval it carries out. */
interface Acting extends ActingAs {
  approvals: Approval[];
}

/** `cluster`: where the step writes (the worker's own, or one that patches as the approver). */
export function applyDepsOf(deps: WorkflowDeps, record: StoredProposal, cluster = deps.cluster): ApplyDeps {
  return {
    cluster,
    rolloutTimeoutSeconds: deps.config.rolloutTimeoutSeconds,
    pollMs: deps.rolloutPollMs,
    settleSeconds: deps.rolloutSettleSeconds,
    onLine: (line) => deps.notifier.progress(record, line),
    gitopsMode: deps.config.gitopsMode,
    policy: deps.config.policy,
  };
}

/** Loads a proposal a job or click refers to; a missing one is a permanent error. */
export async function loadProposal(deps: WorkflowDeps, id: string): Promise<StoredProposal> {
  const record = await deps.store.get(id);
  if (!record)
    throw new StoreError(StoreErrorCode.ProposalNotFound, `Proposal ${id} is not stored; nothing to do.`);
  return record;
}

/** Ends the proposal in `to` with a reason, and tells the thread once. */
export async function refuse(
  deps: WorkflowDeps,
  record: StoredProposal,
  from: StoredProposal['state'][],
  to: 'apply_failed' | 'stale' | 'rollback_failed',
  reason: string,
): Promise<void> {
  await deps.store.transition(record.id, { from, to, fields: { detail: reason } });
  await deps.notifier.refusal(record, reason);
}

/**
 * A retry finds the proposal in `applying`: apply if the workload provably did not move; adopt the
 * rollout if our own patch landed before the interruption; otherwise stop — never apply twice.
 */
async function resumeInterrupted(
  deps: WorkflowDeps,
  record: StoredProposal,
): Promise<Go | { go: 'skip'; outcome: string }> {
  const live = await deps.cluster.getWorkload(record.target);
  const meta = (live?.metadata ?? {}) as { uid?: string; generation?: number };
  const base = record.proposal.base;
  if (live && meta.uid === base.uid && Number(meta.generation ?? 0) === base.generation)
    return { go: 'apply' };
  if (
    live &&
    meta.uid === base.uid &&
    patchLanded(live, base.generation, record.decidedAt ?? record.updatedAt)
  )
    return { go: 'adopt', generation: Number(meta.generation), live };
  const detail = `The apply was interrupted and the workload has changed since the proposal (generation ${base.generation} → ${String(meta.generation)}); it is not applied a second time. Check it with kubectl rollout status.`;
  await refuse(deps, record, ['applying'], 'apply_failed', detail);
  return { go: 'skip', outcome: 'interrupted' };
}

/**
 * Every approval checked again right before the patch — allowlist, identity and a fresh
 * SubjectAccessReview each (RBAC may have changed since the click) — the applier (`approvedBy`) last.
 */
async function recheck(deps: WorkflowDeps, record: StoredProposal, approvedBy: string): Promise<Acting> {
  const recorded = record.approvals.length > 0 ? record.approvals : [{ by: approvedBy }];
  const needed = approvalsNeeded(record, deps.decisions.twoPerson);
  if (new Set(recorded.map((a) => a.by)).size < needed)
    throw new AutofixError(
      ErrorCode.NotAuthorized,
      `This change needs ${needed} distinct approvers (AUTOFIX_TWO_PERSON) and has ${recorded.length}, so it is not applied. Nothing was changed.`,
      { hint: 'Investigate again and have two approvers approve the new proposal.' },
    );
  const order = [...recorded.filter((a) => a.by !== approvedBy), { by: approvedBy }];
  let acting: ActingAs = { identity: null, review: null };
  for (const a of order)
    acting = await checkDecision(record, 'approve', a.by, deps.decisions, deps.authority, deps.cluster);
  // The approvals as of now: each with the identity and the review just made.
  return { ...acting, approvals: record.approvals };
}

/** Moves the proposal to `applying` exactly once, after the decision-time re-checks. */
async function claim(
  deps: WorkflowDeps,
  record: StoredProposal,
  approvedBy: string,
  finalAttempt: boolean,
): Promise<Claim> {
  if (record.state !== 'approved' && record.state !== 'applying')
    return { go: 'skip', outcome: `state_${record.state}` };
  // Not this cluster's proposal: said, and left as it is for a worker of its own cluster.
  const elsewhere = clusterRefusal(record, 'approve', deps.decisions);
  if (elsewhere) {
    await deps.notifier.refusal(record, elsewhere.describe());
    return { go: 'skip', outcome: 'wrong_cluster' };
  }
  let acting: Acting;
  try {
    acting = await recheck(deps, record, approvedBy);
  } catch (e) {
    // An unanswered review is retried; only the last attempt ends the proposal.
    if (!isAutofixError(e) || (e.transient && !finalAttempt)) throw e;
    await refuse(deps, record, [record.state], 'apply_failed', e.describe());
    return { go: 'skip', outcome: 'refused' };
  }
  if (record.state === 'applying') {
    const resumed = await resumeInterrupted(deps, record);
    return resumed.go === 'skip' ? resumed : { ...resumed, acting };
  }
  if (!deps.notifier.showsWhole(record)) {
    const t = record.target;
    const why = `This change is too long to be shown whole where it was approved, so the approval is refused. Nothing was changed; review and apply it with \`kube-autofix fix ${t.kind.toLowerCase()}/${t.name} -n ${t.namespace}\`.`;
    await refuse(deps, record, ['approved'], 'apply_failed', why);
    return { go: 'skip', outcome: 'refused' };
  }
  const moved = await deps.store.transition(record.id, { from: ['approved'], to: 'applying' });
  return moved.kind === 'ok' ? { go: 'apply', acting } : { go: 'skip', outcome: 'taken' };
}

/** The cluster the apply patches through: as the applier, naming the proposal and the first approver. */
function applyCluster(deps: WorkflowDeps, record: StoredProposal, approvedBy: string, acting: Acting) {
  const first = acting.approvals.find((a) => a.by !== approvedBy);
  return clusterActingAs(deps.cluster, acting.identity, {
    slackUser: approvedBy,
    proposalId: record.id,
    step: 'apply',
    firstApprover: first?.identity ?? null,
  });
}

/** Stale → `stale`; a transient failure before the last attempt → rethrown (stays `applying`); else `apply_failed`. */
async function onApplyError(
  deps: WorkflowDeps,
  record: StoredProposal,
  e: unknown,
  finalAttempt: boolean,
): Promise<string> {
  const reason = isAutofixError(e) ? e.describe() : e instanceof Error ? e.message : String(e);
  if (isAutofixError(e) && e.code === ErrorCode.StaleProposal) {
    await refuse(deps, record, ['applying'], 'stale', `Not applied: ${reason}`);
    return 'stale';
  }
  const transient = !isCodedError(e) || e.transient;
  if (transient && !finalAttempt) throw e;
  await refuse(
    deps,
    record,
    ['applying'],
    'apply_failed',
    `The approved change could not be applied: ${reason}`,
  );
  throw e;
}

async function applyOrAdopt(
  deps: WorkflowDeps,
  record: StoredProposal,
  approvedBy: string,
  go: Exclude<Claim, { go: 'skip' }>,
  step: Parameters<typeof applyProposal>[3],
): Promise<ApplyOutcome> {
  const ad = applyDepsOf(deps, record, applyCluster(deps, record, approvedBy, go.acting));
  if (go.go === 'apply') return applyProposal(record.target, record.proposal, ad, step);
  const r = await watchRollout(deps.cluster, record.target, go.generation, {
    timeoutSeconds: ad.rolloutTimeoutSeconds,
    pollMs: ad.pollMs,
    settleSeconds: ad.settleSeconds,
    onLine: ad.onLine,
  });
  return {
    applied: true,
    rolloutHealthy: r.healthy,
    seconds: r.seconds,
    message: r.message,
    appliedTemplate: captureTemplate(go.live),
  };
}

/** The apply step of an approved proposal; returns its outcome word, throws what should be retried. */
export async function applyApproved(
  deps: WorkflowDeps,
  proposalId: string,
  approvedBy: string,
  opts: { finalAttempt: boolean },
): Promise<string> {
  const record = await loadProposal(deps, proposalId);
  const go = await claim(deps, record, approvedBy, opts.finalAttempt);
  if (go.go === 'skip') return go.outcome;
  const tracked = await openStep(deps.tracker, record);
  // What was approved is recorded before applying, so a failed apply still shows it.
  await tracked.step?.logArtifact('apply.json', {
    approvedBy,
    approvals: go.acting.approvals,
    appliedAs: go.acting.identity,
    review: go.acting.review,
    change: record.proposal.change,
    base: record.proposal.base,
  });
  let out: ApplyOutcome;
  try {
    out = await applyOrAdopt(deps, record, approvedBy, go, tracked.step);
  } catch (e) {
    if (isAutofixError(e))
      await tracked.run?.setTags({
        'autofix.apply_refused': e.code,
        // A proposal the workload moved away from was never judged on its merits: a verdict of its own.
        ...(e.code === ErrorCode.StaleProposal ? verdictLabels(record.iteration, 'stale') : {}),
      });
    await tracked.step?.end('FAILED');
    if (tracked.run) await finishRun(tracked.run, { outcome: 'refused', error: null });
    return onApplyError(deps, record, e, opts.finalAttempt);
  }
  return finishApply(deps, record, approvedBy, go.acting, out, tracked);
}

/**
 * The run's record of whom the change was made as (approver mode) and what the cluster answered. None when
 * the credentials in use made it (the worker's account, the CLI's kubeconfig): a CLI run and a worker-mode
 * run carry the same tags.
 */
export function actingTags(acting: ActingAs, prefix: 'applied' | 'rolled_back'): Record<string, string> {
  if (!acting.identity) return {};
  return {
    [`autofix.${prefix}_as`]: describeIdentity(acting.identity),
    ...(acting.review ? { [`autofix.${prefix}_review`]: acting.review.reason } : {}),
  };
}

async function finishApply(
  deps: WorkflowDeps,
  record: StoredProposal,
  approvedBy: string,
  acting: Acting,
  out: ApplyOutcome,
  tracked: Awaited<ReturnType<typeof openStep>>,
): Promise<string> {
  await tracked.step?.logArtifact('rollout.json', applyReport(out));
  await tracked.step?.end(out.rolloutHealthy ? 'FINISHED' : 'FAILED');
  const moved = await deps.store.transition(record.id, {
    from: ['applying'],
    to: 'applied',
    fields: {
      detail: out.message,
      ...(out.appliedTemplate ? { appliedTemplate: JSON.stringify(out.appliedTemplate) } : {}),
    },
  });
  const applied = moved.kind === 'ok' ? moved.record : record;
  if (tracked.run) {
    await tracked.run.setTags({
      'autofix.decision': 'approved',
      'autofix.approved_by': approvedBy,
      ...verdictLabels(record.iteration, 'approved', record.proposal.change),
      ...rolloutLabels(record.iteration, out.rolloutHealthy),
      ...actingTags(acting, 'applied'),
    });
    await tracked.run.tellStory(
      rolloutPatch({ ...out, healthy: out.rolloutHealthy, approvedBy, decidedAt: record.decidedAt }),
    );
    // From the start of the investigation to a healthy rollout, as the CLI measures it.
    const since = record.requestedAt ?? record.createdAt;
    if (out.rolloutHealthy)
      await tracked.run.logMetrics({ time_to_healthy_seconds: (deps.clock.now() - since) / 1000 });
    await finishRun(tracked.run, { outcome: out.rolloutHealthy ? 'fixed' : 'not_fixed', error: null });
  }
  await deps.notifier.outcome(applied, {
    kind: 'applied',
    out,
    by: approvedBy,
    as: acting.identity,
    approvals: acting.approvals,
  });
  if (!out.rolloutHealthy) await continueAfterUnhealthy(deps, applied, out.message);
  return out.rolloutHealthy ? 'fixed' : 'not_fixed';
}

/** An applied change that did not heal: the next round, or "no iterations left". */
export async function continueAfterUnhealthy(
  deps: WorkflowDeps,
  record: StoredProposal,
  why: string,
): Promise<void> {
  const attempts = [
    ...record.attempts,
    {
      iteration: record.iteration,
      change: record.proposal.change,
      errors: [`rollout did not become healthy: ${why}`],
    },
  ];
  if (record.iteration + 1 > deps.config.maxIterations)
    await deps.notifier.outcome(record, { kind: 'budget_spent', attempts });
  else await deps.nextRound(record, attempts);
}
