// `/autofix history`: past investigations of one workload, newest first, with their MLflow and thread links.
import type { Target, TargetRef } from '../../domain/index.js';
import type { PastIncident } from '../../tracking/past-incidents.js';
import { SLACK_LIMITS, escapeMrkdwn, link, mention, safeMrkdwn } from '../slack-limits.js';
import {
  context,
  header,
  message,
  type KnownBlock,
  section,
  targetPlain,
  targetText,
  type SlackMessage,
} from './block-parts.js';

/** Sections shown at most; the rest are counted. */
const MAX_SHOWN = 10;

function entryText(p: PastIncident): string {
  const when = `<!date^${Math.floor(p.startedAt / 1000)}^{date_short_pretty} {time}|${new Date(p.startedAt).toISOString()}>`;
  const facts = [
    `\`${escapeMrkdwn(p.category ?? 'unknown')}\``,
    `outcome *${escapeMrkdwn(p.outcome ?? 'unknown')}*`,
    p.approvedBy ? `approved by ${mention(p.approvedBy)}` : null,
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

export function buildHistoryMessage(target: Target, past: readonly PastIncident[]): SlackMessage {
  if (past.length === 0) {
    return message(`No past investigations of ${targetText(target)} in MLflow.`, [
      section(`No past investigations of ${escapeMrkdwn(targetPlain(target))} are recorded in MLflow.`),
    ]);
  }
  const shown = past.slice(0, MAX_SHOWN);
  const more = past.length > shown.length ? [context(`…and ${past.length - shown.length} older.`)] : [];
  return message(`${past.length} past investigation(s) of ${targetText(target)}`, [
    header(`History: ${targetPlain(target)}`),
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

export interface PerWorkloadInput {
  /** The pod or ReplicaSet asked about. */
  ref: TargetRef;
  /** A Deployment name read off `ref`'s name shape; shown only as a labelled, unverified guess. */
  guess: string | null;
  command?: string;
}

/** Said to `history pod/…`: history is kept per workload, and the bot has no cluster access to find which. */
export function buildHistoryPerWorkloadMessage({
  ref,
  guess,
  command = '/autofix',
}: PerWorkloadInput): SlackMessage {
  const given = escapeMrkdwn(`${ref.kind.toLowerCase()}/${ref.name}`);
  const ns = escapeMrkdwn(ref.namespace);
  const ask = (workload: string): string => `\`${escapeMrkdwn(`${command} history ${workload}`)} -n ${ns}\``;
  const blocks: KnownBlock[] = [
    section(
      `:information_source: History is kept per workload, and this bot does not read the cluster, so it cannot tell which workload \`${given}\` belongs to. Ask for the workload: ${ask('deployment/<name>')} (or \`statefulset/\`, \`daemonset/\`).`,
    ),
  ];
  if (guess)
    blocks.push(
      section(
        `*Guess from the name only, not checked against the cluster:* \`${given}\` is named like ${ref.kind === 'Pod' ? 'a pod' : 'the ReplicaSet'} of \`deployment/${escapeMrkdwn(guess)}\`. If so: ${ask(`deployment/${guess}`)}`,
      ),
    );
  blocks.push(
    context(
      `To know for sure: \`kube-autofix history ${given} -n ${ns}\` resolves it on the cluster; \`${escapeMrkdwn(command)} ${given} -n ${ns}\` investigates its workload.`,
    ),
  );
  return message(`History is kept per workload; name the workload ${given} belongs to.`, blocks);
}
