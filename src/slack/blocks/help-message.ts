// `/autofix help`: the grammar (investigate, pod/ReplicaSet targets, namespace triage), examples, and what happens next (ephemeral).
import { escapeMrkdwn } from '../slack-limits.js';
import { context, header, message, section, type SlackMessage } from './block-parts.js';
import type { ClusterListView } from './clusters-message.js';

export interface HelpOptions {
  /** The slash command's name; default `/autofix`. */
  command?: string;
  /** This channel's default namespace, if AUTOFIX_CHANNEL_NAMESPACES maps it. */
  channelNamespace?: string | null;
  /** The registered clusters, to say where kube-autofix may act (each worker's AUTOFIX_NAMESPACES). */
  clusters?: readonly ClusterListView[];
}

function list(names: readonly string[]): string {
  return names.length === 0
    ? 'none (its worker sets AUTOFIX_NAMESPACES)'
    : names
        .slice(0, 20)
        .map((n) => `\`${escapeMrkdwn(n)}\``)
        .join(', ') + (names.length > 20 ? ', …' : '');
}

function namespacesText(opts: HelpOptions): string {
  const clusters = opts.clusters ?? [];
  const where =
    clusters.length === 0
      ? '*Clusters:* none registered yet (a worker registers its cluster, AUTOFIX_CLUSTER, when it starts).'
      : clusters.length === 1
        ? `*Namespaces* kube-autofix may act in (cluster \`${escapeMrkdwn(clusters[0]!.name)}\`): ${list(clusters[0]!.namespaces)}.`
        : [
            '*Clusters* and the namespaces kube-autofix may act in there (pick one with `-c <cluster>`):',
            ...clusters
              .slice(0, 10)
              .map(
                (c) =>
                  `• \`${escapeMrkdwn(c.name)}\`${c.channelDefault ? ' (this channel’s default)' : ''}: ${list(c.namespaces)}`,
              ),
          ].join('\n');
  const channel = opts.channelNamespace
    ? `This channel's default namespace is \`${escapeMrkdwn(opts.channelNamespace)}\`, so \`-n\` may be left out.`
    : 'This channel has no default namespace, so give `-n <namespace>`.';
  return `${where}\n${channel}`;
}

export function buildHelpMessage(opts: HelpOptions = {}): SlackMessage {
  const cmd = opts.command ?? '/autofix';
  const usage = [
    `*Usage:* \`${cmd} <kind>/<name> [-n <namespace>] [-c <cluster>]\``,
    `• \`${cmd} deployment/web -n shop\``,
    `• \`${cmd} deployment/web -n shop --cluster prod-eu\` — on one cluster when several are served (\`-c\` for short; a channel may have a default)`,
    `• \`${cmd} clusters\` — the clusters, the health of their workers and what each allows`,
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
  return message(escapeMrkdwn(`Usage: ${cmd} <kind>/<name> [-n <namespace>] [-c <cluster>]`), [
    header('kube-autofix'),
    section(escapeMrkdwn(usage)),
    section(flow),
    section(namespacesText(opts)),
    context(
      'Only configured approvers (AUTOFIX_APPROVERS) can approve, reject or roll back. Proposals expire.',
    ),
  ]);
}
