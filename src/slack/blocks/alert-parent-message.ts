// The parent of an alert's thread: the alert quoted (escaped), where it came from, and how often it was seen.
import type { TargetRef } from '../../domain/index.js';
import { escapeMrkdwn, inlineCode, link, slackDate } from '../slack-limits.js';
import {
  context,
  message,
  plainSection,
  section,
  targetMrkdwn,
  targetText,
  type KnownBlock,
  type SlackMessage,
} from './block-parts.js';

export interface AlertParentInput {
  ref: TargetRef;
  alert: {
    alertname: string;
    severity: string | null;
    summary: string | null;
    description: string | null;
    startsAt: string;
    generatorURL: string | null;
    externalURL: string | null;
  };
  /** Every alert name that joined the thread (the first is the one quoted). */
  alertnames: readonly string[];
  firing: number;
  notifications: number;
  /** Epoch ms of the latest notification. */
  lastSeen: number;
  resolvedAt: string | null;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function buildAlertParentMessage(input: AlertParentInput): SlackMessage {
  const a = input.alert;
  const name = inlineCode(a.alertname, 200);
  const severity = a.severity ? ` (${inlineCode(a.severity, 50)})` : '';
  const head = input.resolvedAt
    ? `:white_check_mark: *Alert resolved* ${name}${severity} on ${targetMrkdwn(input.ref)}`
    : `:rotating_light: *Alert* ${name}${severity} on ${targetMrkdwn(input.ref)}: investigating`;
  const blocks: KnownBlock[] = [section(head, 'autofix_alert')];
  const quoted = [a.summary, a.description].filter((t): t is string => !!t);
  // The alert's own words as plain text: no mrkdwn, links or mentions can come from a label or annotation.
  if (quoted.length > 0) blocks.push(plainSection(quoted, 'autofix_alert_text'));
  blocks.push(
    context(
      `Started ${slackDate(a.startsAt)}`,
      a.generatorURL ? link(a.generatorURL, 'Source') : '',
      a.externalURL ? link(a.externalURL, 'Alertmanager') : '',
    ),
  );
  const others = input.alertnames.slice(1).map((n) => inlineCode(n, 100));
  const seen = `${plural(input.notifications, 'notification')}, last ${slackDate(new Date(input.lastSeen).toISOString())}`;
  const state = input.resolvedAt
    ? `Resolved ${slackDate(input.resolvedAt)}`
    : `${plural(input.firing, 'alert')} firing`;
  blocks.push(context(`${state} · ${seen}`, others.length > 0 ? `Also: ${others.join(', ')}` : ''));
  blocks.push(
    context(
      'Progress, the diagnosis and any proposed fix follow in this thread; nothing changes without an approval.',
    ),
  );
  const fallback = `${input.resolvedAt ? 'Alert resolved' : 'Alert'} ${escapeMrkdwn(a.alertname)} on ${targetText(input.ref)}`;
  return message(fallback, blocks);
}
