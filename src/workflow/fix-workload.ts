// fix: investigate, ask for approval, apply, watch; a rollout that stays unhealthy starts another round.
import {
  ErrorCode,
  isAutofixError,
  type AttemptRecord,
  type InvestigationResult,
  type Target,
} from '../domain/index.js';
import { decisionPatch, rolloutPatch } from '../tracking/story-patches.js';
import {
  investigate,
  toResult,
  type AgentDeps,
  type Investigation,
  type InvestigateOptions,
} from '../agent/investigate.js';
import { applyProposal, applyReport, type ApplyOutcome } from './apply-change.js';

/** Asked before every apply; resolves to the approver's name, or null when declined. */
export type Approve = (inv: Investigation) => Promise<string | null>;

export interface FixResult {
  result: InvestigationResult;
  investigation: Investigation;
  applied: ApplyOutcome | null;
}

async function recordApply(inv: Investigation, approvedBy: string, outcome: ApplyOutcome): Promise<void> {
  await inv.run.setTags({ 'autofix.decision': 'approved', 'autofix.approved_by': approvedBy });
  await inv.run.tellStory(rolloutPatch({ ...outcome, healthy: outcome.rolloutHealthy, approvedBy }));
  // From the start of the investigation to a healthy rollout, as the worker measures it.
  if (outcome.rolloutHealthy)
    await inv.run.logMetrics({ time_to_healthy_seconds: (performance.now() - inv.startedAt) / 1000 });
}

/** Runs rounds of investigate → approve → apply until healthy, declined, or the iteration budget is spent. */
export async function fixWorkload(
  target: Target,
  deps: AgentDeps,
  approve: Approve,
  opts: InvestigateOptions = {},
): Promise<FixResult> {
  let inv = await investigate(target, deps, opts);
  let nextIteration = inv.iterations + 1;
  let applied: ApplyOutcome | null = null;
  for (;;) {
    if (inv.outcome !== 'proposed' || !inv.proposal) break;
    const approver = await approve(inv);
    if (!approver) {
      await inv.run.setTags({ 'autofix.decision': 'rejected' });
      await inv.run.tellStory(decisionPatch('rejected', null));
      break;
    }
    const applyRun = await inv.run.startApply();
    try {
      // What was approved is recorded before applying, so a failed apply still shows it.
      await applyRun.logArtifact('apply.json', {
        approvedBy: approver,
        change: inv.proposal.change,
        base: inv.proposal.base,
      });
      applied = await applyProposal(
        target,
        inv.proposal,
        {
          cluster: deps.cluster,
          onLine: (message) => deps.progress?.({ stage: 'rollout', iteration: 0, message }),
          rolloutTimeoutSeconds: deps.config.rolloutTimeoutSeconds,
          gitopsMode: deps.config.gitopsMode,
        },
        applyRun,
      );
      await applyRun.logArtifact('rollout.json', applyReport(applied));
      await applyRun.end(applied.rolloutHealthy ? 'FINISHED' : 'FAILED');
    } catch (e) {
      await applyRun.end('FAILED');
      // Refused before any write: the result keeps the proposal and its patch to commit.
      if (isAutofixError(e) && e.code === ErrorCode.GitOpsManaged) {
        await inv.run.setTags({ 'autofix.decision': 'refused_gitops', 'autofix.outcome': 'refused' });
        const result = toResult(inv, { outcome: 'refused', error: e.describe() });
        return { result, investigation: inv, applied: null };
      }
      throw e;
    }
    await recordApply(inv, approver, applied);
    if (applied.rolloutHealthy) {
      await inv.run.setTags({ 'autofix.outcome': 'fixed' });
      return { result: toResult(inv, { outcome: 'fixed', apply: applied }), investigation: inv, applied };
    }
    const attempts: AttemptRecord[] = [
      ...inv.attempts,
      {
        iteration: nextIteration - 1,
        change: inv.proposal.change,
        errors: [`rollout did not become healthy: ${applied.message}`],
      },
    ];
    if (nextIteration > deps.config.maxIterations) break;
    const remaining = deps.config.maxIterations - nextIteration + 1;
    inv = await investigate(
      target,
      { ...deps, config: { ...deps.config, maxIterations: remaining } },
      {
        ...opts,
        run: inv.run,
        previousAttempts: attempts,
        firstIteration: nextIteration,
        startedAt: inv.startedAt,
      },
    );
    nextIteration += inv.iterations;
  }
  if (applied && !applied.rolloutHealthy) {
    await inv.run.setTags({ 'autofix.outcome': 'not_fixed' });
    return { result: toResult(inv, { outcome: 'not_fixed', apply: applied }), investigation: inv, applied };
  }
  return { result: toResult(inv), investigation: inv, applied };
}
