// Shared by the apply and rollback jobs: the tracked run to report into, and the thread's refusal messages.
import type { ApplyDeps } from '../../agent/apply-proposal.js';
import type { Target } from '../../domain/index.js';
import type { InvestigationRun, RunHandle } from '../../tracking/tracker.js';
import { buildRefusalMessage } from '../../slack/blocks/refusal-message.js';
import { formatAutofixCommand } from '../../slack/parse-command.js';
import type { SlackMessage } from '../../slack/slack-poster.js';
import type { StoredProposal } from '../../workflow/proposal-record.js';
import type { WorkerContext } from '../worker-context.js';

export interface TrackedStep {
  run: InvestigationRun | null;
  step: RunHandle | null;
}

/** Reopens the investigation's MLflow run and opens a nested run for this step (null when tracking is off). */
export async function openStep(ctx: WorkerContext, record: StoredProposal): Promise<TrackedStep> {
  if (!record.runId) return { run: null, step: null };
  const run = await ctx.agent.tracker.resumeInvestigation(record.runId);
  return { run, step: await run.startApply() };
}

/** "Not applied: <reason>", with the command that investigates again. */
export function refusal(reason: string, target: Target): SlackMessage {
  return buildRefusalMessage(reason, { rerunCommand: formatAutofixCommand(target) });
}

/** What applyProposal/rollbackTo need; rollout lines go to the job's log. */
export function applyDeps(ctx: WorkerContext, log: (line: string) => void): ApplyDeps {
  return {
    cluster: ctx.agent.cluster,
    rolloutTimeoutSeconds: ctx.config.rolloutTimeoutSeconds,
    pollMs: ctx.rolloutPollMs,
    gitopsMode: ctx.agent.config.gitopsMode,
    progress: (e: { message: string }) => log(e.message),
  };
}
