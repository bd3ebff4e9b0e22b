// The rollback job: BullMQ plumbing around the workflow's safe rollback (the step itself lives in workflow/).
import { rollbackApplied } from '../../workflow/rollback.js';
import { isFinalAttempt } from '../classify-failure.js';
import type { Processor } from '../worker-context.js';
import { workflowDeps } from './slack-workflow.js';

export const processRollback: Processor<'rollback'> = async (data, job, ctx) => {
  const started = performance.now();
  const outcome = await rollbackApplied(workflowDeps(ctx, job), data.proposalId, data.requestedBy, {
    finalAttempt: isFinalAttempt(job),
  });
  if (outcome === 'rolled_back')
    ctx.metrics.applySeconds.observe(
      { kind: 'rollback', healthy: 'true' },
      (performance.now() - started) / 1000,
    );
  ctx.logger.info({ proposalId: data.proposalId, outcome }, 'rollback job done');
  return outcome;
};
