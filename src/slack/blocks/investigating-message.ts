// The parent message of an investigation's thread: what is investigated, where, and who asked.
import type { TargetRef } from '../../domain/index.js';
import { mention } from '../slack-limits.js';
import { context, message, section, targetMrkdwn, targetText, type SlackMessage } from './block-parts.js';

export interface InvestigatingInput {
  /** A workload, or the pod/ReplicaSet the worker will resolve to one. */
  target: TargetRef;
  /** Slack user id of who ran the command. */
  requestedBy: string;
}

export function buildInvestigatingMessage(input: InvestigatingInput): SlackMessage {
  const who = mention(input.requestedBy);
  return message(`Investigating ${targetText(input.target)}, requested by ${who}`, [
    section(
      `:mag: *Investigating* ${targetMrkdwn(input.target)}, requested by ${who}`,
      'autofix_investigating',
    ),
    context('Progress, the diagnosis and any proposed fix follow in this thread.'),
  ]);
}
