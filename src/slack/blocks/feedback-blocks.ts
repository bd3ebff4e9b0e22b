// Feedback on an incident's handling: the Helpful / Not helpful buttons, the "recorded" note, the reason modal.
import type { types } from '@slack/bolt';
import {
  FEEDBACK_ACTIONS,
  FEEDBACK_VIEW,
  REASON_BLOCK,
  REASON_INPUT,
  type FeedbackContext,
} from '../feedback-payloads.js';
import { mention } from '../slack-limits.js';
import { actions, button, context, type KnownBlock } from './block-parts.js';

export const FEEDBACK_BLOCK = 'autofix_feedback';
export const FEEDBACK_NOTE_BLOCK = 'autofix_feedback_note';

/** The buttons, carrying the MLflow run id; none without a run (tracking off or down: nowhere to record). */
export function feedbackBlocks(runId: string | null | undefined): KnownBlock[] {
  if (!runId) return [];
  return [
    actions(
      FEEDBACK_BLOCK,
      button({ actionId: FEEDBACK_ACTIONS.up, text: ':thumbsup: Helpful', value: runId }),
      button({ actionId: FEEDBACK_ACTIONS.down, text: ':thumbsdown: Not helpful', value: runId }),
    ),
  ];
}

export function feedbackNote(userId: string, helpful: boolean): string {
  const what = helpful ? 'helpful' : 'not helpful';
  return `:memo: Feedback recorded: ${mention(userId)} found this ${what}. It is kept in MLflow and changes nothing on the cluster.`;
}

/** The message's blocks (as a click carries them) with the note after the buttons, replacing an earlier note. */
export function withFeedbackNote(blocks: readonly Record<string, unknown>[], note: string): types.Block[] {
  const kept = blocks
    .filter((b): b is types.Block & Record<string, unknown> => typeof b.type === 'string')
    .filter((b) => b.block_id !== FEEDBACK_NOTE_BLOCK);
  const noteBlock: types.Block = { ...context(note), block_id: FEEDBACK_NOTE_BLOCK };
  const at = kept.findIndex((b) => b.block_id === FEEDBACK_BLOCK);
  return at < 0 ? [...kept, noteBlock] : [...kept.slice(0, at + 1), noteBlock, ...kept.slice(at + 1)];
}

/** The modal asking for an optional reason; the context rides in private_metadata. */
export function feedbackModal(ctx: FeedbackContext): types.ModalView {
  return {
    type: 'modal',
    callback_id: FEEDBACK_VIEW,
    private_metadata: JSON.stringify(ctx),
    title: { type: 'plain_text', text: ctx.helpful ? 'Helpful' : 'Not helpful' },
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Skip' },
    blocks: [
      {
        type: 'input',
        block_id: REASON_BLOCK,
        optional: true,
        label: { type: 'plain_text', text: 'Why? (optional)' },
        element: {
          type: 'plain_text_input',
          action_id: REASON_INPUT,
          multiline: true,
          max_length: 2000,
          placeholder: {
            type: 'plain_text',
            text: 'What was right or wrong about the diagnosis or the fix?',
          },
        },
      },
    ],
  };
}
