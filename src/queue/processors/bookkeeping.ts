// The bookkeeping watch: a round's worker died between posting its result and writing MLflow; complete the run.
import { investigationPatch } from '../../tracking/story-patches.js';
import type { ProposalState } from '../../workflow/proposal-record.js';
import type { Processor } from '../worker-context.js';

/** From these on the apply or rollback step has reopened the run and ends it itself. */
const OWNED_BY_APPLY: ReadonlySet<ProposalState> = new Set([
  'applying',
  'applied',
  'apply_failed',
  'rolling_back',
  'rolled_back',
  'rollback_failed',
]);

export const processBookkeeping: Processor<'bookkeeping'> = async (data, _job, ctx) => {
  const record = data.proposalId ? await ctx.store.get(data.proposalId) : null;
  if (record && OWNED_BY_APPLY.has(record.state)) return `state_${record.state}`;
  // What the dead worker had in memory is gone; what the workflow stored in Redis tells the story.
  const patch = record
    ? investigationPatch({
        outcome: data.outcome,
        iterations: record.iteration,
        diagnosis: record.diagnosis,
        proposal: record.proposal,
        validation: record.proposal.validation,
        history: null,
      })
    : { outcome: data.outcome };
  const done = await ctx.agent.tracker.completeAbandonedRun(data.runId, { outcome: data.outcome, patch });
  if (done === 'completed')
    ctx.logger.warn({ runId: data.runId }, 'a round died before its MLflow bookkeeping; completed its run');
  return done;
};
