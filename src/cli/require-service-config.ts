// What `bot`, `worker` and `start` need from the environment, checked up front with errors naming the variable.
import type { Config } from '../config/config.js';
import { AutofixError, ErrorCode } from '../domain/index.js';

export type ServiceKind = 'bot' | 'worker' | 'start';

function missing(variable: string, kind: ServiceKind, why: string): never {
  throw new AutofixError(
    ErrorCode.ConfigInvalid,
    `${variable} is required for \`kube-autofix ${kind}\`: ${why}.`,
    {
      hint: 'Set it in the environment (see "Slack bot and queue" in the README) and run again.',
    },
  );
}

/** Throws CONFIG_INVALID naming the first missing variable. */
export function requireServiceConfig(kind: ServiceKind, config: Config): void {
  const bot = kind === 'bot' || kind === 'start';
  if (!config.slack.botToken)
    missing(
      'SLACK_BOT_TOKEN',
      kind,
      bot ? 'the bot posts and updates messages with it' : 'the worker posts progress and proposals with it',
    );
  if (bot && !config.slack.appToken && !config.slack.signingSecret) {
    missing(
      'SLACK_SIGNING_SECRET',
      kind,
      'every request on /slack/events is verified with it (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  // A bot alone learns each cluster's allowlist from its workers' registrations; a worker must have its own.
  if (kind !== 'bot' && config.namespaces.length === 0)
    missing(
      'AUTOFIX_NAMESPACES',
      kind,
      'it is the allowlist of namespaces kube-autofix may act in on this cluster (empty allows none)',
    );
  // With AUTOFIX_APPLY_AS=approver the cluster's RBAC decides who approves; the allowlist is an optional extra gate.
  if (bot && config.slack.approvers.length === 0 && config.identity.applyAs !== 'approver')
    missing('AUTOFIX_APPROVERS', kind, 'only the users and user groups it lists may approve fixes');
}
