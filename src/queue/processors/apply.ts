// The apply job: approved → applying (once), re-check staleness, patch, watch the rollout, report with Rollback.
import type { Job } from 'bullmq';
import { applyProposal, type ApplyOutcome } from '../../agent/apply-proposal.js';
import { ErrorCode, isAutofixError, targetKey } from '../../domain/index.js';
import type { Logger } from '../../observability/logger.js';
import { buildApplyResultMessage } from '../../slack/blocks/apply-result-message.js';
import { classifyFailure, describeFailure, isFinalAttempt } from '../classify-failure.js';
import { postOnce } from '../post-once.js';
import type { StoredProposal } from '../../workflow/proposal-record.js';
import { QueueError, QueueErrorCode } from '../queue-error.js';
import type { ApplyJob } from '../jobs.js';
import type { Processor, WorkerContext } from '../worker-context.js';
import { applyDeps, openStep, refusal } from './apply-support.js';
import { continueAfterUnhealthy } from './continue-investigation.js';
import { patchLanded, watchRollout } from './watch-rollout.js';

type Claim = { go: 'apply' } | { go: 'adopt'; generation: number } | { go: 'skip'; outcome: string };

/**
 * A retry finds the proposal in `applying`: apply if the workload provably did not move; adopt the
 * rollout if our own patch landed before the interruption; otherwise stop — never apply twice.
 */
async function resumeInterrupted(
  ctx: WorkerContext,
  record: StoredProposal,
  job: Job,
  log: Logger,
): Promise<Claim> {
  const live = await ctx.agent.cluster.getWorkload(record.target);
  const meta = (live?.metadata ?? {}) as { uid?: string; generation?: number };
  const base = record.proposal.base;
  if (live && meta.uid === base.uid && Number(meta.generation ?? 0) === base.generation)
    return { go: 'apply' };
  if (
    live &&
    meta.uid === base.uid &&
    patchLanded(live, base.generation, record.decidedAt ?? record.updatedAt)
  ) {
    log.info({ generation: meta.generation }, 'interrupted apply had landed; watching its rollout');
    return { go: 'adopt', generation: Number(meta.generation) };
  }
  const detail = `The apply was interrupted and the workload has changed since the proposal (generation ${base.generation} → ${String(meta.generation)}); it is not applied a second time.`;
  log.warn({ generation: meta.generation }, 'interrupted apply: workload moved; not applying again');
  await ctx.store.transition(record.id, { from: ['applying'], to: 'apply_failed', fields: { detail } });
  await postOnce(
    ctx,
    { jobId: String(job.id), slot: 'outcome' },
    record.thread,
    refusal(`${detail} Check it with kubectl rollout status.`, record.target),
  );
  return { go: 'skip', outcome: 'interrupted' };
}

/** Moves the proposal to `applying` exactly once; anything else means there is nothing (more) to do. */
async function claim(ctx: WorkerContext, record: StoredProposal, job: Job, log: Logger): Promise<Claim> {
  if (record.state === 'applying') return resumeInterrupted(ctx, record, job, log);
  if (record.state !== 'approved') return { go: 'skip', outcome: `state_${record.state}` };
  const moved = await ctx.store.transition(record.id, { from: ['approved'], to: 'applying' });
  return moved.kind === 'ok' ? { go: 'apply' } : { go: 'skip', outcome: 'taken' };
}

async function onApplyError(
  ctx: WorkerContext,
  record: StoredProposal,
  job: Job,
  e: unknown,
): Promise<string> {
  const stale = isAutofixError(e) && e.code === ErrorCode.StaleProposal;
  if (!stale && classifyFailure(e) === 'transient' && !isFinalAttempt(job)) throw e; // stays `applying`; the retry re-checks
  const reason = describeFailure(e);
  await ctx.store.transition(record.id, {
    from: ['applying'],
    to: 'apply_failed',
    fields: { detail: reason },
  });
  const text = stale ? `Not applied: ${reason}` : `The approved change could not be applied: ${reason}`;
  await postOnce(
    ctx,
    { jobId: String(job.id), slot: 'outcome' },
    record.thread,
    refusal(text, record.target),
  );
  if (stale) return 'stale';
  throw e;
}

async function report(
  ctx: WorkerContext,
  record: StoredProposal,
  job: Job,
  data: ApplyJob,
  out: ApplyOutcome,
): Promise<void> {
  const message = buildApplyResultMessage({
    target: record.target,
    healthy: out.rolloutHealthy,
    message: out.message,
    seconds: out.seconds,
    runUrl: record.runUrl,
    proposalId: record.id,
    canRollback: true,
    approvedBy: data.approvedBy,
  });
  await postOnce(ctx, { jobId: String(job.id), slot: 'outcome' }, record.thread, message);
}

export const processApply: Processor<'apply'> = async (data, job, ctx) => {
  const record = await ctx.store.get(data.proposalId);
  if (!record)
    throw new QueueError(
      QueueErrorCode.ProposalNotFound,
      `Proposal ${data.proposalId} is not stored; nothing to apply.`,
    );
  const log = ctx.logger.child({
    investigationId: record.jobId,
    proposalId: record.id,
    target: targetKey(record.target),
  });
  const go = await claim(ctx, record, job, log);
  if (go.go === 'skip') {
    log.info({ outcome: go.outcome }, 'apply skipped');
    return go.outcome;
  }
  const tracked = await openStep(ctx, record);
  let out: ApplyOutcome;
  try {
    const deps = applyDeps(ctx, (line) => log.info({ rollout: line }, 'rollout'));
    out =
      go.go === 'adopt'
        ? await watchRollout(
            deps.cluster,
            record.target,
            go.generation,
            deps.rolloutTimeoutSeconds,
            deps.pollMs,
          )
        : await applyProposal(record.target, record.proposal, deps, tracked.step);
  } catch (e) {
    if (isAutofixError(e)) await tracked.run?.setTags({ 'autofix.apply_refused': e.code });
    await tracked.step?.end('FAILED');
    await tracked.run?.end('FAILED');
    return onApplyError(ctx, record, job, e);
  }
  await tracked.step?.logArtifact('apply.json', {
    approvedBy: data.approvedBy,
    change: record.proposal.change,
    base: record.proposal.base,
  });
  await tracked.step?.logArtifact('rollout.json', out);
  await tracked.step?.end(out.rolloutHealthy ? 'FINISHED' : 'FAILED');
  await ctx.store.transition(record.id, {
    from: ['applying'],
    to: 'applied',
    fields: { detail: out.message },
  });
  ctx.metrics.applySeconds.observe({ kind: 'apply', healthy: String(out.rolloutHealthy) }, out.seconds);
  await tracked.run?.setTags({ 'autofix.outcome': out.rolloutHealthy ? 'fixed' : 'not_fixed' });
  await tracked.run?.end(out.rolloutHealthy ? 'FINISHED' : 'FAILED');
  log.info({ healthy: out.rolloutHealthy, seconds: out.seconds }, 'applied');
  await report(ctx, record, job, data, out);
  if (!out.rolloutHealthy) await continueAfterUnhealthy(ctx, record, job, out.message);
  return out.rolloutHealthy ? 'fixed' : 'not_fixed';
};
