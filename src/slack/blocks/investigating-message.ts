// The parent message of an investigation's thread: what is investigated, where, and who asked.
import type { TargetRef } from '../../domain/index.js';
import { escapeMrkdwn, mention } from '../slack-limits.js';
import { context, message, section, targetMrkdwn, targetText, type SlackMessage } from './block-parts.js';

export interface InvestigatingInput {
  /** A workload, or the pod/ReplicaSet the worker will resolve to one. */
  target: TargetRef;
  /** The cluster it is investigated on. */
  cluster?: string;
  /** Slack user id of who ran the command. */
  requestedBy: string;
}

export function buildInvestigatingMessage(input: InvestigatingInput): SlackMessage {
  const who = mention(input.requestedBy);
  const on = input.cluster ? ` on cluster \`${escapeMrkdwn(input.cluster)}\`` : '';
  const onText = input.cluster ? ` on cluster ${escapeMrkdwn(input.cluster)}` : '';
  return message(`Investigating ${targetText(input.target)}${onText}, requested by ${who}`, [
    section(
      `:mag: *Investigating* ${targetMrkdwn(input.target)}${on}, requested by ${who}`,
      'autofix_investigating',
    ),
    context('Progress, the diagnosis and any proposed fix follow in this thread.'),
  ]);
}
