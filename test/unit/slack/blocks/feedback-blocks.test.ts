// Feedback blocks and payloads: buttons only with a run, the recorded note, the modal, and what clicks parse to.
import { describe, expect, it } from 'vitest';
import { buildApplyResultMessage } from '../../../../src/slack/blocks/apply-result-message.js';
import {
  FEEDBACK_BLOCK,
  FEEDBACK_NOTE_BLOCK,
  feedbackBlocks,
  feedbackModal,
  feedbackNote,
  withFeedbackNote,
} from '../../../../src/slack/blocks/feedback-blocks.js';
import { buildOutcomeMessage } from '../../../../src/slack/blocks/outcome-message.js';
import {
  FEEDBACK_VIEW,
  REASON_BLOCK,
  REASON_INPUT,
  parseFeedbackClick,
  parseFeedbackSubmission,
} from '../../../../src/slack/feedback-payloads.js';
import { slackBlockProblems } from '../../../../tools/stand-ins/local-slack/slack-stand-in.js';
import {
  blockActionPayload,
  viewSubmissionPayload,
} from '../../../../tools/stand-ins/local-slack/slack-signed-request.js';

const target = { kind: 'Deployment' as const, name: 'web', namespace: 'shop' };
const RUN = '0123456789abcdef0123456789abcdef';
const actionIds = (blocks: unknown[]): string[] =>
  (blocks as { type: string; elements?: { action_id: string }[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements ?? []).map((e) => e.action_id));

describe('feedback blocks', () => {
  it('final messages carry Helpful / Not helpful only when there is a run to record on', () => {
    const applied = (feedbackRunId: string | null) =>
      buildApplyResultMessage({
        target,
        healthy: true,
        message: 'ready',
        seconds: 3,
        runUrl: null,
        proposalId: 'p1',
        canRollback: true,
        feedbackRunId,
      });
    expect(actionIds(applied(RUN).blocks)).toEqual([
      'autofix_rollback',
      'autofix_feedback_up',
      'autofix_feedback_down',
    ]);
    expect(actionIds(applied(null).blocks)).toEqual(['autofix_rollback']);
    const noFix = (outcome: 'no_safe_fix' | 'error') =>
      buildOutcomeMessage({
        target,
        outcome,
        diagnosis: null,
        humanAction: 'x',
        error: null,
        runUrl: null,
        feedbackRunId: RUN,
      });
    expect(actionIds(noFix('no_safe_fix').blocks)).toEqual(['autofix_feedback_up', 'autofix_feedback_down']);
    expect(actionIds(noFix('error').blocks)).toEqual([]);
    expect(slackBlockProblems(applied(RUN).blocks)).toEqual([]);
  });

  it('the note goes after the buttons and replaces an earlier one', () => {
    const blocks = [
      { type: 'section', block_id: 'a' },
      ...feedbackBlocks(RUN),
      { type: 'context', block_id: 'f' },
    ];
    const once = withFeedbackNote(blocks as never, feedbackNote('U0ONE', false));
    const twice = withFeedbackNote(once as never, feedbackNote('U0TWO', true));
    expect(twice.map((b) => b.block_id)).toEqual(['a', FEEDBACK_BLOCK, FEEDBACK_NOTE_BLOCK, 'f']);
    expect(JSON.stringify(twice)).toContain('<@U0TWO> found this helpful');
    expect(JSON.stringify(twice)).not.toContain('<@U0ONE>');
  });

  it('the modal round-trips its context through a submission with a reason', () => {
    const ctx = { runId: RUN, helpful: false, channel: 'C1', messageTs: '1.2' };
    const view = feedbackModal(ctx);
    expect(view.callback_id).toBe(FEEDBACK_VIEW);
    expect(slackBlockProblems(view.blocks)).toEqual([]);
    const body = viewSubmissionPayload(
      'U9',
      { id: 'V1', view: view as never },
      {
        [REASON_BLOCK]: { [REASON_INPUT]: 'wrong root cause' },
      },
    );
    expect(parseFeedbackSubmission(body)).toEqual({
      ok: true,
      userId: 'U9',
      context: ctx,
      reason: 'wrong root cause',
    });
    const tampered = { ...body, view: { ...(body.view as object), private_metadata: '{"runId":""}' } };
    expect(parseFeedbackSubmission(tampered).ok).toBe(false);
  });

  it('parses a feedback click and refuses other buttons', () => {
    const payload = (actionId: string) =>
      blockActionPayload({
        actionId,
        value: RUN,
        userId: 'U7',
        channelId: 'C1',
        messageTs: '1.5',
        responseUrl: 'http://x.test/r',
      });
    const up = parseFeedbackClick(payload('autofix_feedback_up'));
    expect(up.ok && up.click).toMatchObject({
      runId: RUN,
      helpful: true,
      userId: 'U7',
      channel: 'C1',
      messageTs: '1.5',
    });
    const down = parseFeedbackClick(payload('autofix_feedback_down'));
    expect(down.ok && down.click.helpful).toBe(false);
    expect(parseFeedbackClick(payload('autofix_approve')).ok).toBe(false);
  });
});
