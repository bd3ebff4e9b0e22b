// Which cluster a command goes to: `--cluster`, else the channel's default (AUTOFIX_CHANNEL_CLUSTERS), else the
// only one registered; refused at once, with a reason, when no live worker serves it or the choice is ambiguous.
import type { Config } from '../config/config.js';
import type { ClusterChoice, CommandContext } from '../slack/parse-command.js';
import { agoText } from '../slack/blocks/clusters-message.js';
import type { Directory } from './cluster-directory.js';

export interface ChoiceContext {
  directory: Directory;
  /** This channel's default cluster, if AUTOFIX_CHANNEL_CLUSTERS maps it. */
  channelCluster: string | undefined;
  /** The command's name, for the hints; default `/autofix`. */
  command?: string;
}

function names(dir: Directory): string {
  return [...dir.clusters.values()]
    .map(
      (c) =>
        `\`${c.name}\` (${c.live.length > 0 ? `${c.live.length} live` : `last seen ${agoText(c.lastSeenMs)}`})`,
    )
    .join(', ');
}

/** The refusal for a cluster no live worker serves, with when one was last seen. */
export function noWorkerReason(dir: Directory, cluster: string, command = '/autofix'): string | null {
  const view = dir.clusters.get(cluster);
  if (view && view.live.length > 0) return null;
  if (!view) {
    const known =
      dir.clusters.size > 0 ? ` Known clusters: ${names(dir)}.` : ' No worker has registered yet.';
    return `No worker serves cluster ${cluster}: none has ever registered under that name (AUTOFIX_CLUSTER).${known} Nothing was started.`;
  }
  return `No worker serves cluster ${cluster}; last seen ${agoText(view.lastSeenMs)}. Nothing was started; try again once its worker is back (\`${command} clusters\` shows their health).`;
}

/**
 * `needsWorker` is false for what the bot answers alone (a workload's history from MLflow): a cluster whose
 * workers are all gone is still a valid choice, with the allowlist its last worker announced.
 */
export function chooseCluster(
  ctx: ChoiceContext,
  requested: string | undefined,
  needsWorker: boolean,
): ClusterChoice {
  const dir = ctx.directory;
  const cmd = ctx.command ?? '/autofix';
  let name = requested ?? ctx.channelCluster;
  if (name === undefined) {
    if (dir.clusters.size === 0)
      return {
        ok: false,
        message:
          'No kube-autofix worker has registered yet, so there is no cluster to act on. Nothing was started; start a worker (`kube-autofix worker`, AUTOFIX_CLUSTER names its cluster) and try again.',
      };
    if (dir.clusters.size > 1)
      return {
        ok: false,
        message: `Several clusters are served here: ${names(dir)}. Name one with \`--cluster <name>\` (or \`-c\`), e.g. \`${cmd} deployment/web -n shop -c ${[...dir.clusters.keys()][0]}\`, or ask an admin to give this channel a default in AUTOFIX_CHANNEL_CLUSTERS.`,
      };
    name = [...dir.clusters.keys()][0]!;
  }
  const view = dir.clusters.get(name);
  if (needsWorker || !view) {
    const refused = noWorkerReason(dir, name, cmd);
    if (refused) return { ok: false, message: refused };
  }
  return { ok: true, cluster: name, namespaces: view!.namespaces };
}

/** The parser's context for one command in one channel, over one snapshot of the registrations. */
export function commandContextFor(
  slack: Pick<Config['slack'], 'channelNamespaces' | 'channelClusters'>,
  command: { channel_id: string; command?: string },
  directory: Directory,
  answeredByBot = false,
): CommandContext {
  const channelCluster = Object.hasOwn(slack.channelClusters, command.channel_id)
    ? slack.channelClusters[command.channel_id]
    : undefined;
  const choice: ChoiceContext = { directory, channelCluster, command: command.command };
  return {
    channelId: command.channel_id,
    channelNamespaces: slack.channelNamespaces,
    chooseCluster: (requested, needsWorker) => chooseCluster(choice, requested, needsWorker),
    answeredByBot,
    command: command.command,
  };
}
