// The rollback job: restore the pod template kept with the proposal, watch the rollout, report once.
import type { Job } from 'bullmq';
import { rollbackTo, type ApplyOutcome } from '../../agent/apply-proposal.js';
import { targetKey } from '../../domain/index.js';
import { buildRollbackResultMessage } from '../../slack/blocks/rollback-result-message.js';
import { classifyFailure, describeFailure, isFinalAttempt } from '../classify-failure.js';
import type { RollbackJob } from '../jobs.js';
import { postOnce } from '../post-once.js';
import type { StoredProposal } from '../../workflow/proposal-record.js';
import { QueueError, QueueErrorCode } from '../queue-error.js';
import type { Processor, WorkerContext } from '../worker-context.js';
import { applyDeps, openStep, refusal } from './apply-support.js';

async function onRollbackError(
  ctx: WorkerContext,
  record: StoredProposal,
  job: Job,
  e: unknown,
): Promise<never> {
  if (classifyFailure(e) === 'permanent' || isFinalAttempt(job)) {
    const reason = describeFailure(e);
    await ctx.store.transition(record.id, {
      from: ['rolling_back'],
      to: 'rollback_failed',
      fields: { detail: reason },
    });
    await postOnce(
      ctx,
      { jobId: String(job.id), slot: 'outcome' },
      record.thread,
      refusal(`Rollback failed: ${reason}`, record.target),
    );
  }
  throw e;
}

async function report(
  ctx: WorkerContext,
  record: StoredProposal,
  job: Job,
  data: RollbackJob,
  out: ApplyOutcome,
): Promise<void> {
  const message = buildRollbackResultMessage({
    target: record.target,
    healthy: out.rolloutHealthy,
    message: out.message,
    by: data.requestedBy,
  });
  await postOnce(ctx, { jobId: String(job.id), slot: 'outcome' }, record.thread, message);
}

export const processRollback: Processor<'rollback'> = async (data, job, ctx) => {
  const record = await ctx.store.get(data.proposalId);
  if (!record)
    throw new QueueError(
      QueueErrorCode.ProposalNotFound,
      `Proposal ${data.proposalId} is not stored; nothing to roll back.`,
    );
  const log = ctx.logger.child({
    investigationId: record.jobId,
    proposalId: record.id,
    target: targetKey(record.target),
  });
  // The bot moved it to rolling_back on the click; any other state means this job has nothing to do.
  if (record.state !== 'rolling_back') {
    log.info({ state: record.state }, 'rollback skipped');
    return `state_${record.state}`;
  }
  const tracked = await openStep(ctx, record);
  let out: ApplyOutcome;
  try {
    // Re-applying the same template is harmless, so a retried rollback needs no extra guard.
    out = await rollbackTo(
      record.target,
      record.proposal.previousTemplate,
      applyDeps(ctx, (line) => log.info({ rollout: line }, 'rollback rollout')),
      tracked.step,
    );
  } catch (e) {
    await tracked.step?.end('FAILED');
    await tracked.run?.end('FAILED');
    return onRollbackError(ctx, record, job, e);
  }
  await tracked.step?.logArtifact('rollback.json', { requestedBy: data.requestedBy, rollout: out });
  await tracked.step?.end(out.rolloutHealthy ? 'FINISHED' : 'FAILED');
  await ctx.store.transition(record.id, {
    from: ['rolling_back'],
    to: 'rolled_back',
    fields: { detail: out.message },
  });
  ctx.metrics.applySeconds.observe({ kind: 'rollback', healthy: String(out.rolloutHealthy) }, out.seconds);
  await tracked.run?.setTags({
    'autofix.outcome': 'rolled_back',
    'autofix.rolled_back_by': data.requestedBy,
  });
  await tracked.run?.end('FINISHED');
  log.info({ healthy: out.rolloutHealthy }, 'rolled back');
  await report(ctx, record, job, data, out);
  return 'rolled_back';
};
