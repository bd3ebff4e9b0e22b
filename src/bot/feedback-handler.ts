// Helpful / Not helpful: any channel member's click records MLflow feedback and asks for an optional reason.
import type { AllMiddlewareArgs, App, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../observability/logger.js';
import type { ActionHandler } from './action-router.js';
import type { Tracker } from '../tracking/tracker.js';
import { feedbackModal, feedbackNote, withFeedbackNote } from '../slack/blocks/feedback-blocks.js';
import { buildRefusalMessage } from '../slack/blocks/refusal-message.js';
import {
  FEEDBACK_ACTIONS,
  FEEDBACK_VIEW,
  parseFeedbackClick,
  parseFeedbackSubmission,
  type FeedbackClick,
} from '../slack/feedback-payloads.js';
import type { SlackPoster } from '../slack/slack-poster.js';

export interface FeedbackDeps {
  tracker: Pick<Tracker, 'enabled' | 'recordFeedback'>;
  poster: SlackPoster;
  logger: Logger;
}

const why = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const COULD_NOT_RECORD = buildRefusalMessage(
  'kube-autofix could not record your feedback right now (MLflow is unreachable). Nothing else was affected; try again later.',
);

/** Shows on the message itself that feedback was recorded (its blocks as the click carried them). */
async function showRecorded(deps: FeedbackDeps, click: FeedbackClick): Promise<void> {
  if (!click.channel || !click.messageTs || !click.message || click.message.blocks.length === 0) return;
  const blocks = withFeedbackNote(click.message.blocks, feedbackNote(click.userId, click.helpful));
  await deps.poster.update(click.channel, click.messageTs, { text: click.message.text, blocks });
}

function onClick(deps: FeedbackDeps) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const parsed = parseFeedbackClick(body);
    if (!parsed.ok) {
      deps.logger.warn({ err: parsed.error }, 'ignored a feedback click that is not one of our buttons');
      return;
    }
    const click = parsed.click;
    const log = deps.logger.child({ action: 'feedback', user: click.userId, runId: click.runId });
    // The trigger id is valid for 3 s: the modal opens before anything slower happens.
    const context = {
      runId: click.runId,
      helpful: click.helpful,
      channel: click.channel,
      messageTs: click.messageTs,
    };
    await client.views
      .open({ trigger_id: click.triggerId, view: feedbackModal(context) })
      .catch((e: unknown) => log.warn({ err: why(e) }, 'could not open the feedback modal'));
    try {
      const r = await deps.tracker.recordFeedback({ ...click, reason: null });
      log.info({ helpful: click.helpful, replaced: r.replaced }, 'feedback recorded');
    } catch (e) {
      log.warn({ err: why(e) }, 'could not record feedback');
      if (click.channel)
        await deps.poster.postEphemeral(click.channel, click.userId, COULD_NOT_RECORD).catch(() => undefined);
      return;
    }
    await showRecorded(deps, click).catch((e: unknown) =>
      log.warn({ err: why(e) }, 'could not show the feedback note'),
    );
  };
}

function onSubmit(deps: FeedbackDeps) {
  return async ({ ack, body }: SlackViewMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const parsed = parseFeedbackSubmission(body);
    if (!parsed.ok) {
      deps.logger.warn({ err: parsed.error }, 'ignored a feedback submission we cannot read');
      return;
    }
    const { userId, context, reason } = parsed;
    const log = deps.logger.child({ action: 'feedback_reason', user: userId, runId: context.runId });
    try {
      // The same user's assessment is replaced, now with the reason.
      const r = await deps.tracker.recordFeedback({ ...context, userId, reason });
      log.info({ replaced: r.replaced, withReason: Boolean(reason?.trim()) }, 'feedback reason recorded');
    } catch (e) {
      log.warn({ err: why(e) }, 'could not record the feedback reason');
      if (context.channel)
        await deps.poster.postEphemeral(context.channel, userId, COULD_NOT_RECORD).catch(() => undefined);
    }
  };
}

/**
 * Registers the modal and returns the two buttons' handlers (for the bot's action router), when there is an
 * MLflow to record into (else no buttons exist and nothing is registered).
 */
export function registerFeedback(app: App, deps: FeedbackDeps): Array<[string, ActionHandler]> {
  if (!deps.tracker.enabled) return [];
  const click = onClick(deps);
  app.view(FEEDBACK_VIEW, onSubmit(deps));
  return [
    [FEEDBACK_ACTIONS.up, click],
    [FEEDBACK_ACTIONS.down, click],
  ];
}
