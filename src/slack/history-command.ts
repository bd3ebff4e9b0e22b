// `/autofix history <kind>/<name> [-n ns]`: reads past investigations from MLflow (never the cluster).
import type { RespondArguments, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Config, MlflowConfig } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import { createMlflowClient } from '../tracking/mlflow-client.js';
import type { PastIncident } from '../tracking/past-incidents.js';
import { readHistory, type WorkloadRef } from '../tracking/workload-history.js';
import {
  buildHistoryMessage,
  buildHistoryPerWorkloadMessage,
  historyUnavailableMessage,
} from './blocks/history-message.js';
import { buildInvalidCommandMessage } from './blocks/invalid-command-message.js';
import { guessDeploymentOf } from './owner-guess.js';
import { parseAutofixCommand, type CommandContext } from './parse-command.js';
import type { SlackMessage } from './slack-poster.js';

/** How many past investigations the command lists. */
export const HISTORY_LIMIT = 10;
const HISTORY_WORD = /^\s*history(\s+|$)/i;

export type HistoryReader = (target: WorkloadRef) => Promise<PastIncident[]>;

/** Reads through MLflow's REST API; null when tracking is off. */
export function createHistoryReader(mlflow: MlflowConfig | null): HistoryReader | null {
  if (!mlflow) return null;
  const client = createMlflowClient(mlflow, { attempts: 2, timeoutMs: 5000 });
  return (target) => readHistory(client, mlflow.experimentName, target, { limit: HISTORY_LIMIT });
}

/** True for `history …` texts, which this module answers instead of starting an investigation. */
export function isHistoryCommand(text: string): boolean {
  return HISTORY_WORD.test(text);
}

const ephemeral = (m: SlackMessage): RespondArguments => ({
  response_type: 'ephemeral',
  replace_original: false,
  text: m.text,
  ...(m.blocks ? { blocks: m.blocks } : {}),
});

export interface HistoryDeps {
  config: Pick<Config, 'namespaces' | 'slack'>;
  /** Null when MLflow tracking is off: the answer says so. */
  history?: HistoryReader | null;
  logger: Logger;
}

/** Answers a `history` text: the same target grammar and namespace rules as an investigation. */
export async function answerHistory(
  { command, ack, respond }: Pick<SlackCommandMiddlewareArgs, 'command' | 'ack' | 'respond'>,
  deps: HistoryDeps,
): Promise<void> {
  await ack();
  const ctx: CommandContext = {
    channelId: command.channel_id,
    channelNamespaces: deps.config.slack.channelNamespaces,
    allowedNamespaces: deps.config.namespaces,
    command: command.command,
  };
  const reader = deps.history ?? null;
  const logger = deps.logger;
  const parsed = parseAutofixCommand((command.text ?? '').replace(HISTORY_WORD, ''), ctx);
  if (parsed.kind === 'resolve') {
    // The bot reads no cluster, so it cannot find the owner: it says how to ask (and reads no MLflow).
    const { ref } = parsed;
    await respond(
      ephemeral(buildHistoryPerWorkloadMessage({ ref, guess: guessDeploymentOf(ref), command: ctx.command })),
    );
    return;
  }
  if (parsed.kind !== 'investigate') {
    const why = parsed.kind === 'invalid' ? parsed.message : 'Name a workload, e.g. deployment/web.';
    await respond(ephemeral(buildInvalidCommandMessage(why, ctx.command)));
    return;
  }
  if (!reader) {
    await respond(
      ephemeral(historyUnavailableMessage('MLflow tracking is not configured (MLFLOW_TRACKING_URI).')),
    );
    return;
  }
  try {
    await respond(ephemeral(buildHistoryMessage(parsed.target, await reader(parsed.target))));
  } catch (e) {
    logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'could not read the history');
    await respond(ephemeral(historyUnavailableMessage('MLflow did not answer; try again in a minute.')));
  }
}
