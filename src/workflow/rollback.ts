// rolling_back → rolled_back | rollback_failed: re-check, then the safe rollback, watched and recorded.
import { rollbackPatch } from '../tracking/story-patches.js';
import { rollbackLabels } from '../tracking/outcome-labels.js';
import { isAutofixError, isCodedError } from '../domain/index.js';
import { applyReport, type ApplyOutcome } from './apply-change.js';
import { actingTags, applyDepsOf, loadProposal, refuse } from './approve.js';
import { clusterActingAs, type ActingAs } from './acting-as.js';
import { checkDecision, clusterRefusal } from './decision-checks.js';
import { openStep } from './open-step.js';
import { rollbackChange } from './safe-rollback.js';
import type { WorkflowDeps } from './workflow-ports.js';

/** The rollback step (the click already moved the proposal to `rolling_back`); throws what should be retried. */
export async function rollbackApplied(
  deps: WorkflowDeps,
  proposalId: string,
  requestedBy: string,
  opts: { finalAttempt: boolean },
): Promise<string> {
  const record = await loadProposal(deps, proposalId);
  if (record.state !== 'rolling_back') return `state_${record.state}`;
  const elsewhere = clusterRefusal(record, 'rollback', deps.decisions);
  if (elsewhere) {
    await deps.notifier.refusal(record, elsewhere.describe());
    return 'wrong_cluster';
  }
  const tracked = await openStep(deps.tracker, record);
  let out: ApplyOutcome;
  let acting: ActingAs = { identity: null, review: null };
  try {
    // A fresh SubjectAccessReview right before the rollback's dry-run and patch, both sent as the requester.
    acting = await checkDecision(
      record,
      'rollback',
      requestedBy,
      deps.decisions,
      deps.authority,
      deps.cluster,
    );
    const cluster = clusterActingAs(deps.cluster, acting.identity, {
      slackUser: requestedBy,
      proposalId: record.id,
      step: 'rollback',
    });
    out = await rollbackChange(record, applyDepsOf(deps, record, cluster), tracked.step);
  } catch (e) {
    await tracked.step?.end('FAILED');
    const transient = !isCodedError(e) || e.transient;
    if (transient && !opts.finalAttempt) throw e;
    const reason = isAutofixError(e) ? e.describe() : e instanceof Error ? e.message : String(e);
    await tracked.run?.setTags({ 'autofix.rollback_refused': isCodedError(e) ? e.code : 'ERROR' });
    await tracked.run?.end('FAILED');
    await refuse(deps, record, ['rolling_back'], 'rollback_failed', reason);
    if (isCodedError(e) && !e.transient) return 'rollback_refused';
    throw e;
  }
  await tracked.step?.logArtifact('rollback.json', {
    requestedBy,
    rolledBackAs: acting.identity,
    review: acting.review,
    rollout: applyReport(out),
  });
  await tracked.step?.end(out.rolloutHealthy ? 'FINISHED' : 'FAILED');
  const moved = await deps.store.transition(record.id, {
    from: ['rolling_back'],
    to: 'rolled_back',
    fields: { detail: out.message },
  });
  await tracked.run?.setTags({
    'autofix.outcome': 'rolled_back',
    'autofix.rolled_back_by': requestedBy,
    ...rollbackLabels(record.iteration),
    ...actingTags(acting, 'rolled_back'),
  });
  await tracked.run?.tellStory(rollbackPatch(requestedBy, out.rolloutHealthy, out.message));
  await tracked.run?.end('FINISHED');
  await deps.notifier.outcome(moved.kind === 'ok' ? moved.record : record, {
    kind: 'rolled_back',
    out,
    by: requestedBy,
    as: acting.identity,
  });
  return 'rolled_back';
}
