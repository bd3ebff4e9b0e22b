// The decide job (AUTOFIX_APPLY_AS=approver): the one decision with the cluster's SubjectAccessReview, answered in Slack.
import { decisionAnswer } from '../../slack/decision-answer.js';
import { decide } from '../../workflow/decide.js';
import { clickOriginRefusal } from '../../workflow/decision-checks.js';
import { describeFailure } from '../classify-failure.js';
import { handOn } from '../hand-on.js';
import type { Processor } from '../worker-context.js';
import { workflowDeps } from './slack-workflow.js';

/**
 * Decides the click as the bot would, with the worker's cluster as the reviewer; then the next job and the
 * messages. Slack I/O after the decision never fails the job: a retry would find the approval already counted.
 */
export const processDecide: Processor<'decide'> = async (data, job, ctx) => {
  const log = ctx.logger.child({ proposalId: data.proposalId, decision: data.decision, user: data.userId });
  const deps = { ...workflowDeps(ctx, job), reviewer: ctx.agent.cluster };
  const res = await decide(deps, data.proposalId, data.decision, data.userId, (record) =>
    clickOriginRefusal(record, { channelId: data.channelId, teamId: data.teamId }),
  );
  if (res.kind === 'needs_review') throw new Error('decide job without a reviewer: the worker must hold one');
  await handOn(ctx.producer, res, data.decision, data.userId);
  const answer = decisionAnswer(res, data.decision, ctx.config.identity.twoPerson);
  ctx.metrics.decisions.inc({ decision: answer.metric });
  log.info({ outcome: res.kind, reason: res.kind === 'refused' ? res.reason : undefined }, 'decision made');
  const quiet = (what: string) => (e: unknown) => log.warn({ err: describeFailure(e) }, `could not ${what}`);
  if (answer.update && res.kind !== 'missing' && res.record.messageTs)
    await ctx.poster
      .update(res.record.thread.channel, res.record.messageTs, answer.update)
      .catch(quiet('update the proposal message'));
  const channel = res.kind === 'missing' ? data.channelId : res.record.thread.channel;
  if (answer.reply && channel)
    await ctx.poster
      .postEphemeral(
        channel,
        data.userId,
        answer.reply,
        res.kind === 'missing' ? undefined : res.record.thread.threadTs,
      )
      .catch(quiet('answer the clicker'));
  return res.kind;
};
