// The worker's next round: after an applied change did not heal, a next iteration in the same thread and run.
import type { Job } from 'bullmq';
import type { AttemptRecord } from '../../domain/index.js';
import { buildRefusalMessage } from '../../slack/blocks/refusal-message.js';
import { formatAutofixCommand } from '../../slack/parse-command.js';
import type { StoredProposal } from '../../workflow/proposal-record.js';
import { postOnce } from '../post-once.js';
import type { WorkerContext } from '../worker-context.js';

export async function continueInvestigation(
  ctx: WorkerContext,
  job: Job,
  record: StoredProposal,
  attempts: AttemptRecord[],
): Promise<void> {
  const res = await ctx.producer.addInvestigation(
    {
      // The next round runs where the last one did: the proposal's cluster.
      cluster: record.cluster,
      target: record.target,
      requestedBy: record.requestedBy,
      channel: record.thread.channel,
      teamId: record.thread.teamId,
      continuation: {
        runId: record.runId,
        firstIteration: record.iteration + 1,
        attempts,
        ...(record.llm ? { spent: record.llm } : {}),
      },
    },
    async () => record.thread.threadTs,
  );
  if (res.kind === 'already_running') {
    await postOnce(
      ctx,
      { jobId: String(job.id), slot: 'followup' },
      record.thread,
      buildRefusalMessage(
        'Another investigation of this workload is already running, so no new iteration starts here.',
        { rerunCommand: formatAutofixCommand(record.target) },
      ),
    );
  }
}
