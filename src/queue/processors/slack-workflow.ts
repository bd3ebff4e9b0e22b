// The worker's adapters for the workflow: a Slack notifier (messages at most once per job) and its ports.
import type { Job } from 'bullmq';
import { buildApplyResultMessage } from '../../slack/blocks/apply-result-message.js';
import { buildDecidedProposalMessage } from '../../slack/blocks/decided-proposal-message.js';
import { buildOutcomeMessage } from '../../slack/blocks/outcome-message.js';
import { buildProposalMessage, proposalShowsWhole } from '../../slack/blocks/proposal-message.js';
import { buildRefusalMessage } from '../../slack/blocks/refusal-message.js';
import { buildRollbackResultMessage } from '../../slack/blocks/rollback-result-message.js';
import { formatAutofixCommand } from '../../slack/parse-command.js';
import { proposalView } from '../../slack/proposal-view.js';
import type { SlackMessage } from '../../slack/slack-poster.js';
import { oneClusterPolicy } from '../../workflow/decision-checks.js';
import type { StoredProposal } from '../../workflow/proposal-record.js';
import type { Notifier, StepOutcome, WorkflowDeps } from '../../workflow/workflow-ports.js';
import { postOnce } from '../post-once.js';
import type { WorkerContext } from '../worker-context.js';
import { continueInvestigation } from './continue-investigation.js';

function outcomeMessage(
  record: StoredProposal,
  o: Exclude<StepOutcome, { kind: 'expired' }>,
  maxIterations: number,
): SlackMessage {
  if (o.kind === 'applied')
    return buildApplyResultMessage({
      target: record.target,
      healthy: o.out.rolloutHealthy,
      message: o.out.message,
      seconds: o.out.seconds,
      runUrl: record.runUrl,
      proposalId: record.id,
      canRollback: true,
      approvedBy: o.by,
      feedbackRunId: record.runId,
      appliedAs: o.as,
      approvals: o.approvals,
    });
  if (o.kind === 'rolled_back')
    return buildRollbackResultMessage({
      target: record.target,
      healthy: o.out.rolloutHealthy,
      message: o.out.message,
      by: o.by,
      as: o.as,
    });
  return buildOutcomeMessage({
    target: record.target,
    outcome: 'no_safe_fix',
    diagnosis: record.diagnosis,
    humanAction: `The applied change did not heal the workload and no iterations are left (AUTOFIX_MAX_ITERATIONS=${maxIterations}). Roll it back with the button above, or investigate by hand.`,
    error: null,
    runUrl: record.runUrl,
    feedbackRunId: record.runId,
    attempts: o.attempts.map((a) => `iteration ${a.iteration}: ${a.errors.join('; ')}`),
    iterations: record.iteration,
  });
}

/** The proposal message, edited in place: same content, no buttons, "expired". */
async function expireMessage(ctx: WorkerContext, record: StoredProposal): Promise<void> {
  if (!record.messageTs) return;
  const message = buildDecidedProposalMessage({
    proposal: proposalView(record),
    decision: 'expired',
    by: null,
  });
  await ctx.poster.update(record.thread.channel, record.messageTs, message);
}

/** Messages into the proposal's thread; each (job, slot) is posted once across retries and workers. */
export function slackNotifier(ctx: WorkerContext, job: Job): Notifier {
  const jobId = String(job.id);
  const log = ctx.logger.child({ jobId });
  return {
    progress: (record, line) => log.info({ proposalId: record.id, rollout: line }, 'rollout'),
    // Posted unless an earlier attempt did; a duplicate from a race is deleted.
    async proposal(record) {
      if (record.messageTs) return;
      const message = buildProposalMessage(proposalView(record, ctx.config.identity.twoPerson));
      const ts = await ctx.poster.post(record.thread.channel, message, record.thread.threadTs);
      const { won } = await ctx.store.attachMessage(record.id, ts);
      if (!won) await ctx.poster.delete(record.thread.channel, ts).catch(() => undefined);
    },
    showsWhole: (record) => proposalShowsWhole(proposalView(record, ctx.config.identity.twoPerson)),
    async outcome(record, o) {
      if (o.kind === 'expired') return expireMessage(ctx, record);
      const slot = o.kind === 'budget_spent' ? 'followup' : 'outcome';
      await postOnce(
        ctx,
        { jobId, slot },
        record.thread,
        outcomeMessage(record, o, ctx.config.maxIterations),
      );
    },
    async refusal(record, reason) {
      const message = buildRefusalMessage(reason, { rerunCommand: formatAutofixCommand(record.target) });
      await postOnce(ctx, { jobId, slot: 'outcome' }, record.thread, message);
    },
  };
}

/** The workflow's ports as the worker provides them for one job. */
export function workflowDeps(ctx: WorkerContext, job: Job): WorkflowDeps {
  return {
    store: ctx.store,
    notifier: slackNotifier(ctx, job),
    cluster: ctx.agent.cluster,
    tracker: ctx.agent.tracker,
    authority: ctx.authority,
    clock: { now: ctx.now ?? Date.now },
    config: {
      maxIterations: ctx.config.maxIterations,
      rolloutTimeoutSeconds: ctx.config.rolloutTimeoutSeconds,
      policy: ctx.agent.config.policy,
      gitopsMode: ctx.agent.config.gitopsMode,
    },
    decisions: {
      ...oneClusterPolicy(ctx.config.cluster, ctx.config.namespaces, ctx.config.slack.selfApproval),
      applyAs: ctx.config.identity.applyAs,
      twoPerson: ctx.config.identity.twoPerson,
    },
    nextRound: (record, attempts) => continueInvestigation(ctx, job, record, attempts),
    rolloutPollMs: ctx.rolloutPollMs,
  };
}
