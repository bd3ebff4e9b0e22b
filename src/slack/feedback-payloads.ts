// zod schemas of the feedback interactions: the Helpful / Not helpful click and the reason modal's submission.
import { z } from 'zod';
import { BlockActionElement, BlockActionsPayload } from './slack-payloads.js';

/** The `action_id`s of the feedback buttons and the modal's `callback_id`: a public contract. */
export const FEEDBACK_ACTIONS = {
  up: 'autofix_feedback_up',
  down: 'autofix_feedback_down',
} as const;
export const FEEDBACK_VIEW = 'autofix_feedback_reason';
/** The block and element ids of the modal's text field. */
export const REASON_BLOCK = 'autofix_feedback_reason_block';
export const REASON_INPUT = 'autofix_feedback_reason_input';

export const FeedbackActionId = z.enum([FEEDBACK_ACTIONS.up, FEEDBACK_ACTIONS.down]);

/** What travels in the modal's private_metadata: enough to record and show the feedback. */
export const FeedbackContext = z.object({
  runId: z.string().min(1).max(200),
  helpful: z.boolean(),
  channel: z.string().nullable(),
  messageTs: z.string().nullable(),
});
export type FeedbackContext = z.infer<typeof FeedbackContext>;

export interface FeedbackClick extends FeedbackContext {
  userId: string;
  triggerId: string;
  /** The message as the click carried it, to show that feedback was recorded on it. */
  message: { text: string; blocks: Record<string, unknown>[] } | null;
}

export function parseFeedbackClick(
  body: unknown,
): { ok: true; click: FeedbackClick } | { ok: false; error: string } {
  const payload = BlockActionsPayload.safeParse(body);
  if (!payload.success) return { ok: false, error: z.prettifyError(payload.error) };
  const action = BlockActionElement.extend({
    action_id: FeedbackActionId,
    value: z.string().min(1).max(200),
  }).safeParse(payload.data.actions[0]);
  if (!action.success) return { ok: false, error: z.prettifyError(action.error) };
  const p = payload.data;
  return {
    ok: true,
    click: {
      runId: action.data.value,
      helpful: action.data.action_id === FEEDBACK_ACTIONS.up,
      channel: p.channel?.id ?? p.container.channel_id ?? null,
      messageTs: p.message?.ts ?? p.container.message_ts ?? null,
      userId: p.user.id,
      triggerId: p.trigger_id,
      message: p.message ? { text: p.message.text ?? '', blocks: p.message.blocks ?? [] } : null,
    },
  };
}

/** A view_submission of the reason modal as Slack posts it (the parts we read). */
export const FeedbackSubmission = z.object({
  type: z.literal('view_submission'),
  user: z.object({ id: z.string().min(1).max(64) }),
  view: z.object({
    callback_id: z.literal(FEEDBACK_VIEW),
    private_metadata: z.string().max(3000),
    state: z.object({
      values: z.record(
        z.string(),
        z.record(z.string(), z.object({ type: z.string(), value: z.string().nullable().optional() })),
      ),
    }),
  }),
});

export function parseFeedbackSubmission(
  body: unknown,
):
  | { ok: true; userId: string; context: FeedbackContext; reason: string | null }
  | { ok: false; error: string } {
  const s = FeedbackSubmission.safeParse(body);
  if (!s.success) return { ok: false, error: z.prettifyError(s.error) };
  let meta: unknown;
  try {
    meta = JSON.parse(s.data.view.private_metadata);
  } catch {
    return { ok: false, error: 'private_metadata is not JSON' };
  }
  const context = FeedbackContext.safeParse(meta);
  if (!context.success) return { ok: false, error: z.prettifyError(context.error) };
  const reason = s.data.view.state.values[REASON_BLOCK]?.[REASON_INPUT]?.value ?? null;
  return { ok: true, userId: s.data.user.id, context: context.data, reason };
}
