// fix: investigate, ask for approval, apply, watch; a rollout that stays unhealthy starts another round.
import type { AttemptRecord, InvestigationResult, Target } from '../domain/index.js';
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
        },
        applyRun,
      );
      await applyRun.logArtifact('rollout.json', applyReport(applied));
      await applyRun.end(applied.rolloutHealthy ? 'FINISHED' : 'FAILED');
    } catch (e) {
      await applyRun.end('FAILED');
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
