// `/autofix history <kind>/<name> [-n ns]`: reads past investigations from MLflow (never the cluster).
import type { SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Config } from '../config/config.js';
import type { TargetRef } from '../domain/index.js';
import type { Logger } from '../observability/logger.js';
import type { Tracker } from '../tracking/tracker.js';
import type { Producer } from '../queue/producer.js';
import {
  HISTORY_LIMIT,
  buildHistoryLookupMessage,
  buildHistoryMessage,
  historyUnavailableMessage,
} from '../slack/blocks/history-message.js';
import { buildInvalidCommandMessage } from '../slack/blocks/invalid-command-message.js';
import { buildRefusalMessage } from '../slack/blocks/refusal-message.js';
import { parseAutofixCommand, type CommandContext } from '../slack/parse-command.js';
import { ephemeral } from './ephemeral.js';

const HISTORY_WORD = /^\s*history(\s+|$)/i;

/** True for `history …` texts, which this module answers instead of starting an investigation. */
export function isHistoryCommand(text: string): boolean {
  return HISTORY_WORD.test(text);
}

export interface HistoryDeps {
  config: Pick<Config, 'slack'>;
  /** Reads MLflow; when tracking is off (`enabled` false) the answer says so. */
  tracker: Pick<Tracker, 'enabled' | 'history'>;
  /** `history pod/<name>` goes to the worker's resolve job: the bot reads no cluster. */
  producer: Pick<Producer, 'addResolve'>;
  logger: Logger;
}

type Respond = SlackCommandMiddlewareArgs['respond'];
type Command = SlackCommandMiddlewareArgs['command'];

/** Hands a pod/ReplicaSet to the worker, which resolves it and posts the owner's history to the requester. */
async function lookUpOwner(
  cluster: string,
  ref: TargetRef,
  command: Command,
  respond: Respond,
  deps: HistoryDeps,
): Promise<void> {
  try {
    const jobId = await deps.producer.addResolve({
      cluster,
      then: 'history',
      ref,
      requestedBy: command.user_id,
      channel: command.channel_id,
      teamId: command.team_id ?? null,
      requestedAt: new Date().toISOString(),
    });
    deps.logger.info({ jobId, ref: `${ref.kind}/${ref.name}` }, 'history resolution requested');
    await respond(ephemeral(buildHistoryLookupMessage(ref)));
  } catch (e) {
    deps.logger.error(
      { err: e instanceof Error ? e.message : String(e) },
      'could not request the resolution',
    );
    const direct = `\`${command.command} history deployment/<name> -n ${ref.namespace}\``;
    await respond(
      ephemeral(
        buildRefusalMessage(
          `kube-autofix could not look up the workload right now (its queue is unreachable); try again in a minute, or ask for the workload directly: ${direct}.`,
        ),
      ),
    );
  }
}

/**
 * Answers a `history` text: the same target grammar, cluster choice and namespace rules as an investigation
 * (`ctx` answered by the bot: a workload's history needs no live worker).
 */
export async function answerHistory(
  { command, ack, respond }: Pick<SlackCommandMiddlewareArgs, 'command' | 'ack' | 'respond'>,
  deps: HistoryDeps,
  ctx: CommandContext,
): Promise<void> {
  await ack();
  const logger = deps.logger;
  const parsed = parseAutofixCommand((command.text ?? '').replace(HISTORY_WORD, ''), ctx);
  if (parsed.kind === 'refused') {
    await respond(ephemeral(buildRefusalMessage(parsed.message)));
    return;
  }
  if (parsed.kind !== 'investigate' && parsed.kind !== 'resolve') {
    const why = parsed.kind === 'invalid' ? parsed.message : 'Name a workload, e.g. deployment/web.';
    await respond(ephemeral(buildInvalidCommandMessage(why, ctx.command)));
    return;
  }
  if (!deps.tracker.enabled) {
    await respond(
      ephemeral(historyUnavailableMessage('MLflow tracking is not configured (MLFLOW_TRACKING_URI).')),
    );
    return;
  }
  if (parsed.kind === 'resolve') return lookUpOwner(parsed.cluster, parsed.ref, command, respond, deps);
  try {
    const target = { ...parsed.target, cluster: parsed.cluster };
    await respond(
      ephemeral(buildHistoryMessage(parsed.target, await deps.tracker.history(target, HISTORY_LIMIT))),
    );
  } catch (e) {
    logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'could not read the history');
    await respond(ephemeral(historyUnavailableMessage('MLflow did not answer; try again in a minute.')));
  }
}
