// `/autofix help`: the grammar (investigate, pod/ReplicaSet targets, namespace triage), examples, and what happens next (ephemeral).
import { escapeMrkdwn } from '../slack-limits.js';
import { context, header, message, section, type SlackMessage } from './block-parts.js';

export interface HelpOptions {
  /** The slash command's name; default `/autofix`. */
  command?: string;
  /** This channel's default namespace, if AUTOFIX_CHANNEL_NAMESPACES maps it. */
  channelNamespace?: string | null;
  /** AUTOFIX_NAMESPACES, to say where kube-autofix may act. */
  allowedNamespaces?: readonly string[];
}

function namespacesText(opts: HelpOptions): string {
  const allowed = opts.allowedNamespaces ?? [];
  const list =
    allowed.length === 0
      ? 'none yet (an admin sets AUTOFIX_NAMESPACES)'
      : allowed
          .slice(0, 20)
          .map((n) => `\`${escapeMrkdwn(n)}\``)
          .join(', ');
  const channel = opts.channelNamespace
    ? `This channel's default namespace is \`${escapeMrkdwn(opts.channelNamespace)}\`, so \`-n\` may be left out.`
    : 'This channel has no default namespace, so give `-n <namespace>`.';
  return `*Namespaces* kube-autofix may act in: ${list}${allowed.length > 20 ? ', …' : ''}.\n${channel}`;
}

export function buildHelpMessage(opts: HelpOptions = {}): SlackMessage {
  const cmd = opts.command ?? '/autofix';
  const usage = [
    `*Usage:* \`${cmd} <kind>/<name> [-n <namespace>]\``,
    `• \`${cmd} deployment/web -n shop\``,
    `• \`${cmd} sts/db --namespace=payments\``,
    `• \`${cmd} history deployment/web -n shop\` — past investigations of a workload (from MLflow; \`history pod/<name>\` gives the history of the pod's workload)`,
    `• \`${cmd} pod/web-5d8c9f7b6d-x7k2p -n shop\` — investigates the workload owning the pod (or \`replicaset/<name>\`)`,
    `• \`${cmd} -n shop\` — lists the namespace's unhealthy workloads, each with an *Investigate* button (\`${cmd}\` alone uses the channel's default namespace)`,
    `• \`${cmd} help\` — this message`,
    'Kinds: `deployment` (`deploy`), `statefulset` (`sts`), `daemonset` (`ds`), `pod` (`po`), `replicaset` (`rs`). Names are lowercase RFC 1123 names.',
  ].join('\n');
  const flow = [
    '*What happens:* kube-autofix reads the workload, its pods, events and logs (read-only), diagnoses the failure,',
    'and proposes a minimal change that passed schema, safety-policy and server dry-run checks. Updates go to a thread.',
    'Nothing is applied until an approver clicks *Approve*; after an apply, *Rollback* restores the previous template.',
  ].join(' ');
  return message(escapeMrkdwn(`Usage: ${cmd} <kind>/<name> [-n <namespace>]`), [
    header('kube-autofix'),
    section(escapeMrkdwn(usage)),
    section(flow),
    section(namespacesText(opts)),
    context(
      'Only configured approvers (AUTOFIX_APPROVERS) can approve, reject or roll back. Proposals expire.',
    ),
  ]);
}
