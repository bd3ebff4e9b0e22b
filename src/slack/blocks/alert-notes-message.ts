// What an alert's thread (or the channel) is told besides the parent: resolved, fired again, storms, refusals.
import type { TargetRef } from '../../domain/index.js';
import { describeTarget } from '../../domain/index.js';
import { escapeMrkdwn, inlineCode, link, slackDate } from '../slack-limits.js';
import { context, message, plainSection, section, targetMrkdwn, type SlackMessage } from './block-parts.js';

export interface AlertResolvedInput {
  alertname: string;
  resolvedAt: string;
  /** A proposal in the thread still waits for a decision (it keeps its buttons: it may still be the right fix). */
  pendingProposal: { link: string | null } | null;
}

export function buildAlertResolvedMessage(input: AlertResolvedInput): SlackMessage {
  const lines = [
    `:white_check_mark: The alert ${inlineCode(input.alertname, 200)} resolved ${slackDate(input.resolvedAt)}.`,
  ];
  if (input.pendingProposal) {
    const where = input.pendingProposal.link ? ` (${link(input.pendingProposal.link, 'the proposal')})` : '';
    lines.push(
      `The alert resolved; this change is still waiting for a decision${where}. Approve or reject it as usual.`,
    );
  }
  return message(`The alert ${escapeMrkdwn(input.alertname)} resolved`, [
    section(lines.join('\n'), 'autofix_alert_resolved'),
  ]);
}

export interface AlertRefiredInput {
  alertname: string;
  /** The incident's target as the alert named it. */
  ref: TargetRef;
  cooldown: string;
  rerunCommand: string;
}

export function buildAlertRefiredMessage(input: AlertRefiredInput): SlackMessage {
  const text =
    `:repeat: ${inlineCode(input.alertname, 200)} fired again within the cooldown (AUTOFIX_ALERT_COOLDOWN=${escapeMrkdwn(input.cooldown)}), ` +
    `so it joins this thread and no second investigation starts.`;
  return message(`${escapeMrkdwn(input.alertname)} fired again`, [
    section(text, 'autofix_alert_refired'),
    context(`To investigate ${targetMrkdwn(input.ref)} again, run ${inlineCode(input.rerunCommand, 400)}`),
  ]);
}

export interface AlertStormInput {
  /** Alerts not investigated in this channel (more than are listed, when `items` was capped). */
  total: number;
  items: ReadonlyArray<{ ref: TargetRef; alertname: string }>;
  maxPerMinute: number;
}

export function buildAlertStormMessage(input: AlertStormInput): SlackMessage {
  const namespaces = [...new Set(input.items.map((i) => i.ref.namespace))].sort();
  const lines = input.items.slice(0, 25).map((i) => `• ${i.alertname} on ${describeTarget(i.ref)}`);
  if (input.total > lines.length) lines.push(`… and ${input.total - lines.length} more`);
  const triage = namespaces
    .slice(0, 5)
    .map((ns) => inlineCode(`/autofix -n ${ns}`, 80))
    .join(', ');
  const head =
    `:cyclone: *${input.total} more alert${input.total === 1 ? '' : 's'} not investigated*: at most ` +
    `${input.maxPerMinute} investigations start per minute (AUTOFIX_ALERT_MAX_PER_MINUTE).`;
  return message(`${input.total} more alerts not investigated`, [
    section(head, 'autofix_alert_storm'),
    plainSection(lines, 'autofix_alert_storm_list'),
    context(`${triage} to triage.`),
  ]);
}

export interface AlertUnresolvableInput {
  total: number;
  items: ReadonlyArray<{ alertname: string; why: string }>;
}

export function buildAlertUnresolvableMessage(input: AlertUnresolvableInput): SlackMessage {
  const lines = input.items.slice(0, 25).map((i) => `• ${i.alertname}: ${i.why}`);
  if (input.total > lines.length) lines.push(`… and ${input.total - lines.length} more`);
  const head =
    `:grey_question: *${input.total} alert${input.total === 1 ? '' : 's'} named no workload to investigate*, so nothing was started. ` +
    'kube-autofix reads `namespace` plus `deployment`, `statefulset`, `daemonset`, `replicaset` or `pod`.';
  return message(`${input.total} alerts named no workload to investigate`, [
    section(head, 'autofix_alert_unresolvable'),
    plainSection(lines, 'autofix_alert_unresolvable_list'),
  ]);
}

export interface AlertRefusedInput {
  namespaces: readonly string[];
  allowed: readonly string[];
}

export function buildAlertRefusedMessage(input: AlertRefusedInput): SlackMessage {
  const ns = input.namespaces.map((n) => inlineCode(n, 63)).join(', ');
  const text =
    `:no_entry: Alerts for ${ns} started nothing: kube-autofix may not act in ${input.namespaces.length === 1 ? 'that namespace' : 'those namespaces'} ` +
    `(AUTOFIX_NAMESPACES: ${input.allowed.length > 0 ? input.allowed.map((n) => inlineCode(n, 63)).join(', ') : 'empty'}).`;
  return message(`Alerts for namespaces outside AUTOFIX_NAMESPACES started nothing`, [
    section(text, 'autofix_alert_refused'),
    context(
      'Said once per alert group. Add a namespace to AUTOFIX_NAMESPACES to let its alerts start investigations.',
    ),
  ]);
}

export interface AlertAlreadyRunningInput {
  ref: TargetRef;
  where: string | null;
}

export function buildAlertAlreadyRunningMessage(input: AlertAlreadyRunningInput): SlackMessage {
  const where = input.where ? ` Follow it there: ${link(input.where, 'its thread')}` : '';
  return message('Already being investigated', [
    section(
      `:hourglass: ${targetMrkdwn(input.ref)} is already being investigated, so this alert starts no second investigation.${where}`,
    ),
  ]);
}
