// `/autofix`: read the registered clusters (cached), parse and choose the cluster, ack within Slack's 3 s (usage,
// errors and refusals go in the ack), then post the parent message and enqueue on that cluster's queue.
import type { RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Config } from '../config/config.js';
import { describeTarget, type Target } from '../domain/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { ActiveInvestigation } from '../queue/active-investigations.js';
import type { Producer } from '../queue/producer.js';
import { buildHelpMessage } from '../slack/blocks/help-message.js';
import { buildInvalidCommandMessage } from '../slack/blocks/invalid-command-message.js';
import { buildInvestigatingMessage } from '../slack/blocks/investigating-message.js';
import { buildRefusalMessage } from '../slack/blocks/refusal-message.js';
import { answerHistory, isHistoryCommand, type HistoryDeps } from './history-command.js';
import { parseAutofixCommand } from '../slack/parse-command.js';
import { isSlackPostError, type SlackMessage, type SlackPoster } from '../slack/slack-poster.js';
import { ephemeral } from './ephemeral.js';
import { startResolve, startTriage } from './start-triage.js';
import { buildClustersMessage } from '../slack/blocks/clusters-message.js';
import { commandContextFor } from './choose-cluster.js';
import { clusterList, type ClusterDirectory, type Directory } from './cluster-directory.js';

export interface CommandDeps extends HistoryDeps {
  config: Pick<Config, 'slack'>;
  producer: Pick<Producer, 'addInvestigation' | 'addTriage' | 'addResolve'>;
  poster: SlackPoster;
  /** The registered clusters: where a command may go, and which namespaces each allows. */
  directory: ClusterDirectory;
  /** A link to a message, or null when Slack cannot give one. */
  permalink: (channel: string, ts: string) => Promise<string | null>;
  metrics: Metrics;
  logger: Logger;
}

async function alreadyRunning(
  deps: CommandDeps,
  target: Target,
  running: ActiveInvestigation | null,
): Promise<SlackMessage> {
  const where = running?.threadTs
    ? await deps.permalink(running.channel, running.threadTs).catch(() => null)
    : null;
  const pointer = where
    ? ` Follow it in its thread: ${where}`
    : running?.threadTs
      ? ' Follow it in its thread in that channel.'
      : ' It is starting now.';
  return buildRefusalMessage(
    `${describeTarget(target)} is already being investigated, so no second investigation starts.${pointer}`,
  );
}

function startFailure(e: unknown): SlackMessage {
  if (isSlackPostError(e) && (e.slackError === 'not_in_channel' || e.slackError === 'channel_not_found')) {
    return buildRefusalMessage(
      'kube-autofix cannot post in this channel. Invite it first (/invite @kube-autofix), then run the command again.',
    );
  }
  return buildRefusalMessage(
    'kube-autofix could not start the investigation right now (its queue or Slack is unreachable). Nothing was started; try again in a minute.',
  );
}

export async function startInvestigation(
  deps: CommandDeps,
  cluster: string,
  target: Target,
  who: { user: string; channel: string; teamId: string; respond: RespondFn },
): Promise<void> {
  const { user, channel, teamId, respond } = who;
  try {
    const res = await deps.producer.addInvestigation(
      { cluster, target, requestedBy: user, channel, teamId },
      () => deps.poster.post(channel, buildInvestigatingMessage({ target, cluster, requestedBy: user })),
    );
    if (res.kind === 'already_running') {
      deps.metrics.commands.inc({ result: 'already_running' });
      await respond(ephemeral(await alreadyRunning(deps, target, res.running)));
      return;
    }
    // The producer logs the enqueued investigation (one line per command on the bot's hot path).
    deps.metrics.commands.inc({ result: 'enqueued' });
  } catch (e) {
    deps.metrics.commands.inc({ result: 'error' });
    deps.logger.error(
      {
        command: '/autofix',
        user,
        channel,
        cluster,
        err: e instanceof Error ? e.message : String(e),
        code: (e as { code?: unknown }).code,
      },
      'could not start the investigation',
    );
    await respond(ephemeral(startFailure(e))).catch(() => undefined);
  }
}

/** The snapshot of registrations a command is parsed against; null (and the user told) when Redis is away. */
async function readDirectory(deps: CommandDeps): Promise<Directory | null> {
  try {
    return await deps.directory.snapshot();
  } catch (e) {
    deps.logger.warn(
      { err: e instanceof Error ? e.message : String(e) },
      'could not read the worker registrations',
    );
    return null;
  }
}

const UNREACHABLE = buildRefusalMessage(
  'kube-autofix cannot reach its queue right now, so it cannot tell which clusters are served. Nothing was started; try again in a minute.',
);

export function handleAutofixCommand(deps: CommandDeps): (args: SlackCommandMiddlewareArgs) => Promise<void> {
  return async ({ command, ack, respond }) => {
    const text = command.text ?? '';
    const dir = await readDirectory(deps);
    if (!dir) {
      deps.metrics.commands.inc({ result: 'error' });
      await ack(ephemeral(UNREACHABLE));
      return;
    }
    const slack = deps.config.slack;
    if (isHistoryCommand(text))
      return answerHistory({ command, ack, respond }, deps, commandContextFor(slack, command, dir, true));
    const ctx = commandContextFor(slack, command, dir);
    const parsed = parseAutofixCommand(text, ctx);
    const channelCluster = slack.channelClusters[command.channel_id];
    if (parsed.kind === 'help') {
      await ack(
        ephemeral(
          buildHelpMessage({
            command: command.command,
            channelNamespace: slack.channelNamespaces[command.channel_id] ?? null,
            clusters: clusterList(dir, channelCluster),
          }),
        ),
      );
      deps.metrics.commands.inc({ result: 'help' });
      return;
    }
    if (parsed.kind === 'clusters') {
      await ack(ephemeral(buildClustersMessage(clusterList(dir, channelCluster), command.command)));
      deps.metrics.commands.inc({ result: 'clusters' });
      return;
    }
    if (parsed.kind === 'invalid') {
      await ack(ephemeral(buildInvalidCommandMessage(parsed.message, command.command)));
      deps.metrics.commands.inc({ result: 'invalid' });
      return;
    }
    if (parsed.kind === 'refused') {
      await ack(ephemeral(buildRefusalMessage(parsed.message)));
      deps.metrics.commands.inc({ result: 'refused' });
      return;
    }
    // Ack first: Slack gives up after 3 s, and posting + enqueueing must not count against that.
    await ack();
    const who = { user: command.user_id, channel: command.channel_id, teamId: command.team_id, respond };
    if (parsed.kind === 'triage') return startTriage(deps, parsed.cluster, parsed.namespace, who);
    if (parsed.kind === 'resolve') return startResolve(deps, parsed.cluster, parsed.ref, who);
    await startInvestigation(deps, parsed.cluster, parsed.target, who);
  };
}
