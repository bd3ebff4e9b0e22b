// After an applied change that did not heal: a next iteration in the same thread and run, or the budget is spent.
import type { Job } from 'bullmq';
import { buildOutcomeMessage } from '../../slack/blocks/outcome-message.js';
import { postOnce } from '../post-once.js';
import type { StoredProposal } from '../../workflow/proposal-record.js';
import type { WorkerContext } from '../worker-context.js';
import { refusal } from './apply-support.js';

export async function continueAfterUnhealthy(
  ctx: WorkerContext,
  record: StoredProposal,
  job: Job,
  why: string,
): Promise<void> {
  const key = { jobId: String(job.id), slot: 'followup' as const };
  const next = record.iteration + 1;
  const attempts = [
    ...record.attempts,
    {
      iteration: record.iteration,
      change: record.proposal.change,
      errors: [`rollout did not become healthy: ${why}`],
    },
  ];
  if (next > ctx.config.maxIterations) {
    const message = buildOutcomeMessage({
      target: record.target,
      outcome: 'no_safe_fix',
      diagnosis: record.diagnosis,
      humanAction: `The applied change did not heal the workload and no iterations are left (AUTOFIX_MAX_ITERATIONS=${ctx.config.maxIterations}). Roll it back with the button above, or investigate by hand.`,
      error: null,
      runUrl: record.runUrl,
      attempts: attempts.map((a) => `iteration ${a.iteration}: ${a.errors.join('; ')}`),
      iterations: record.iteration,
    });
    await postOnce(ctx, key, record.thread, message);
    return;
  }
  const res = await ctx.producer.addInvestigation(
    {
      target: record.target,
      requestedBy: record.requestedBy,
      channel: record.thread.channel,
      teamId: record.thread.teamId,
      continuation: { runId: record.runId, firstIteration: next, attempts },
    },
    async () => record.thread.threadTs,
  );
  if (res.kind === 'already_running') {
    await postOnce(
      ctx,
      key,
      record.thread,
      refusal(
        'Another investigation of this workload is already running, so no new iteration starts here.',
        record.target,
      ),
    );
  }
}
