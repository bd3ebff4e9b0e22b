// The apply job: BullMQ plumbing around the workflow's apply step (the step itself lives in workflow/).
import { applyApproved } from '../../workflow/approve.js';
import { isFinalAttempt } from '../classify-failure.js';
import type { Processor } from '../worker-context.js';
import { workflowDeps } from './slack-workflow.js';

export const processApply: Processor<'apply'> = async (data, job, ctx) => {
  const started = performance.now();
  const outcome = await applyApproved(workflowDeps(ctx, job), data.proposalId, data.approvedBy, {
    finalAttempt: isFinalAttempt(job),
  });
  if (outcome === 'fixed' || outcome === 'not_fixed')
    ctx.metrics.applySeconds.observe(
      { kind: 'apply', healthy: String(outcome === 'fixed') },
      (performance.now() - started) / 1000,
    );
  ctx.logger.info({ proposalId: data.proposalId, outcome }, 'apply job done');
  return outcome;
};
