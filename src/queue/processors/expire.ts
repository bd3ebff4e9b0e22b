// The expire job: BullMQ plumbing around the workflow's expiry (delayed until the proposal's TTL).
import { expireProposal } from '../../workflow/expire.js';
import type { Processor } from '../worker-context.js';
import { workflowDeps } from './slack-workflow.js';

export const processExpire: Processor<'expire'> = async (data, job, ctx) => {
  const outcome = await expireProposal(workflowDeps(ctx, job), data.proposalId);
  ctx.logger.info({ proposalId: data.proposalId, outcome }, 'expire job done');
  return outcome;
};
