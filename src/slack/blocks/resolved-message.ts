// In the thread of `/autofix pod/<name>`: which workload the pod or ReplicaSet resolved to, and what happens next.
import { escapeMrkdwn, mention } from '../slack-limits.js';
import { context, message, section, type SlackMessage } from './block-parts.js';

export interface ResolvedInput {
  /** e.g. `pod/web-abc → replicaset/web-123 → deployment/web`. */
  via: string;
  /** Set when another investigation of the workload is already running (a link when Slack gives one). */
  alreadyRunning?: { where: string | null } | null;
  requestedBy: string;
}

export function buildResolvedMessage(input: ResolvedInput): SlackMessage {
  const chain = `:link: \`${escapeMrkdwn(input.via)}\``;
  if (!input.alreadyRunning)
    return message(`${escapeMrkdwn(input.via)}; investigating the workload`, [
      section(`${chain}\nInvestigating the owning workload; progress follows in this thread.`),
    ]);
  const where = input.alreadyRunning.where ? ` Follow it there: ${input.alreadyRunning.where}` : '';
  return message(`${escapeMrkdwn(input.via)}; already being investigated`, [
    section(
      `${chain}\nThat workload is already being investigated, so no second investigation starts.${where}`,
    ),
    context(`Requested by ${mention(input.requestedBy)}.`),
  ]);
}
