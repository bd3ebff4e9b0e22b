// The result of a rollback to the previous pod template. No buttons.
import { describeIdentity, type KubeIdentity, type Target } from '../../domain/index.js';
import { escapeMrkdwn, mention, safeMrkdwn } from '../slack-limits.js';
import { message, section, targetMrkdwn, targetText, type SlackMessage } from './block-parts.js';

export interface RollbackResultInput {
  target: Target;
  healthy: boolean;
  message: string;
  /** Slack user id of who asked for the rollback. */
  by: string | null;
  /** Approver mode: the identity the rollback patch was sent as. */
  as?: KubeIdentity | null;
}

export function buildRollbackResultMessage(input: RollbackResultInput): SlackMessage {
  const as = input.as ? ` as ${escapeMrkdwn(describeIdentity(input.as))}` : '';
  const by = input.by ? `, requested by ${mention(input.by)}${as}` : '';
  const state = input.healthy ? 'rollout healthy' : 'rollout NOT healthy';
  const icon = input.healthy ? ':leftwards_arrow_with_hook:' : ':red_circle:';
  return message(`Rolled back ${targetText(input.target)}${by}: ${state}`, [
    section(
      `${icon} *Rolled back* ${targetMrkdwn(input.target)} to the previous template${by} — ${state}.\n${safeMrkdwn(input.message, 2000)}`,
      'autofix_rollback_result',
    ),
  ]);
}
