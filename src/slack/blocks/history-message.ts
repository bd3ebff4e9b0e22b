// `/autofix history`: past investigations of one workload, newest first, with their MLflow and thread links.
import type { Target, TargetRef } from '../../domain/index.js';
import type { PastIncident } from '../../tracking/past-incidents.js';
import { SLACK_LIMITS, escapeMrkdwn, link, mention, safeMrkdwn } from '../slack-limits.js';
import {
  context,
  header,
  message,
  section,
  targetPlain,
  targetText,
  type SlackMessage,
} from './block-parts.js';

/** Sections shown at most; the rest are counted. */
const MAX_SHOWN = 10;

/** How many past investigations `history` reads (the bot for a workload, the worker for a pod's owner). */
export const HISTORY_LIMIT = MAX_SHOWN;

function entryText(p: PastIncident): string {
  const when = `<!date^${Math.floor(p.startedAt / 1000)}^{date_short_pretty} {time}|${new Date(p.startedAt).toISOString()}>`;
  const facts = [
    `\`${escapeMrkdwn(p.category ?? 'unknown')}\``,
    `outcome *${escapeMrkdwn(p.outcome ?? 'unknown')}*`,
    p.approvedBy ? `approved by ${mention(p.approvedBy)}` : null,
    p.approvals?.includes(';') ? `approvals: ${escapeMrkdwn(p.approvals)}` : null,
    p.appliedAs ? `applied as ${escapeMrkdwn(p.appliedAs)}` : null,
    p.timeToHealthySeconds !== null ? `healthy in ${Math.round(p.timeToHealthySeconds)} s` : null,
  ].filter((x): x is string => x !== null);
  const links = [
    p.runUrl ? link(p.runUrl, 'MLflow run') : null,
    p.threadUrl ? link(p.threadUrl, 'thread') : null,
  ]
    .filter((x): x is string => x !== null)
    .join(' · ');
  const cause = p.rootCause ? `\n${safeMrkdwn(p.rootCause, 300)}` : '';
  const change = p.change ? `\nChange: ${safeMrkdwn(p.change, 300)}` : '';
  return `${when} · ${facts.join(' · ')}${links ? ` · ${links}` : ''}${cause}${change}`;
}

/** `via` (e.g. `pod/web-abc → replicaset/web-123 → deployment/web`) when a pod or ReplicaSet was asked about. */
export function buildHistoryMessage(
  target: Target,
  past: readonly PastIncident[],
  via: string | null = null,
): SlackMessage {
  const resolved = via
    ? [context(`:link: \`${escapeMrkdwn(via)}\`: history is kept per workload, so this is its history.`)]
    : [];
  if (past.length === 0) {
    return message(`No past investigations of ${targetText(target)} in MLflow.`, [
      ...resolved,
      section(`No past investigations of ${escapeMrkdwn(targetPlain(target))} are recorded in MLflow.`),
    ]);
  }
  const shown = past.slice(0, MAX_SHOWN);
  const more = past.length > shown.length ? [context(`…and ${past.length - shown.length} older.`)] : [];
  return message(`${past.length} past investigation(s) of ${targetText(target)}`, [
    header(`History: ${targetPlain(target)}`),
    ...resolved,
    ...shown.map((p) => section(entryText(p).slice(0, SLACK_LIMITS.sectionText))),
    ...more,
    context('Newest first, from MLflow runs tagged with this workload.'),
  ]);
}

/** Said instead of a history when MLflow is off or unreachable. */
export function historyUnavailableMessage(reason: string): SlackMessage {
  return message(`History is unavailable: ${escapeMrkdwn(reason)}`, [
    section(`:grey_question: History is unavailable: ${safeMrkdwn(reason, 1000)}`),
  ]);
}

/** The bot's ack of `history pod/<name>`: the worker resolves it (the bot reads no cluster) and answers here. */
export function buildHistoryLookupMessage(ref: TargetRef): SlackMessage {
  const given = escapeMrkdwn(`${ref.kind.toLowerCase()}/${ref.name}`);
  return message(`Looking up which workload ${given} belongs to; its history follows, only to you.`, [
    section(
      `:mag: History is kept per workload: looking up which workload \`${given}\` in \`${escapeMrkdwn(ref.namespace)}\` belongs to. Its history follows here, only to you.`,
    ),
  ]);
}
