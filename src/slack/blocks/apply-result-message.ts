// The rollout result after an approved change, with a Rollback button when the previous template is kept.
import { describeIdentity, type KubeIdentity, type Target } from '../../domain/index.js';
import { approverWords, type Approval } from '../../workflow/approval.js';
import { AUTOFIX_ACTIONS } from '../slack-payloads.js';
import { escapeMrkdwn, link, safeMrkdwn } from '../slack-limits.js';
import {
  actions,
  button,
  context,
  message,
  section,
  targetMrkdwn,
  targetText,
  type KnownBlock,
  type SlackMessage,
} from './block-parts.js';
import { feedbackBlocks } from './feedback-blocks.js';

export interface ApplyResultInput {
  target: Target;
  healthy: boolean;
  /** What happened, e.g. "3/3 replicas ready" or the rollout's failure reason. */
  message: string;
  seconds: number;
  runUrl: string | null;
  proposalId: string;
  canRollback: boolean;
  /** Slack user id of who approved, shown once more beside the result. */
  approvedBy?: string | null;
  /** The MLflow run the Helpful / Not helpful buttons record on; none without one. */
  feedbackRunId?: string | null;
  /** Approver mode: the identity the patch was sent as (the audit log's impersonatedUser). */
  appliedAs?: KubeIdentity | null;
  /** Every approval the apply carried out, oldest first. */
  approvals?: readonly Pick<Approval, 'by' | 'identity'>[];
}

/** "Applied as priya@example.com (groups: sre) · approved by <@U1> (sam@…), <@U2> (priya@…)". */
function whoLine(input: ApplyResultInput): string | null {
  const as = input.appliedAs ? `Applied as ${escapeMrkdwn(describeIdentity(input.appliedAs))}` : null;
  const approvals = input.approvals ?? [];
  const by = approvals.length > 1 ? `approved by ${approvals.map(approverWords).join(', ')}` : null;
  const line = [as, by].filter(Boolean).join('  ·  ');
  return line || null;
}

export function buildApplyResultMessage(input: ApplyResultInput): SlackMessage {
  const head = input.healthy
    ? `:large_green_circle: *Applied — rollout healthy* for ${targetMrkdwn(input.target)} after ${input.seconds.toFixed(1)} s`
    : `:red_circle: *Applied — rollout NOT healthy* for ${targetMrkdwn(input.target)} after ${input.seconds.toFixed(1)} s`;
  const who = whoLine(input);
  const blocks: KnownBlock[] = [
    section(`${head}\n${safeMrkdwn(input.message, 2000)}`, 'autofix_apply_result'),
    ...(who ? [context(who)] : []),
  ];
  if (!input.healthy) blocks.push(context('A new iteration starts; its proposal needs approval again.'));
  if (input.canRollback) {
    blocks.push(
      actions(
        'autofix_apply_actions',
        button({
          actionId: AUTOFIX_ACTIONS.rollback,
          text: 'Rollback',
          value: input.proposalId,
          style: 'danger',
          confirm: {
            title: 'Roll back?',
            text: 'This restores the pod template from before the change.',
            confirm: 'Roll back',
            deny: 'Cancel',
          },
        }),
      ),
    );
  }
  const run = input.runUrl ? link(input.runUrl, 'MLflow run') : 'no MLflow run (tracking off)';
  blocks.push(...feedbackBlocks(input.feedbackRunId), context(run));
  const state = input.healthy ? 'rollout healthy' : 'rollout NOT healthy';
  return message(
    `Applied fix to ${targetText(input.target)}: ${state} after ${input.seconds.toFixed(1)} s`,
    blocks,
  );
}
