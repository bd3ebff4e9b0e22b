// `/autofix -n <ns>` and `/autofix pod/<name>`: enqueue the worker's part (the bot holds no cluster code), report failures.
import type { RespondFn } from '@slack/bolt';
import type { TargetRef } from '../domain/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Producer } from '../queue/producer.js';
import { buildInvestigatingMessage } from '../slack/blocks/investigating-message.js';
import { buildRefusalMessage } from '../slack/blocks/refusal-message.js';
import type { SlackPoster } from '../slack/slack-poster.js';

export interface StartDeps {
  producer: Pick<Producer, 'addTriage' | 'addResolve'>;
  poster: SlackPoster;
  metrics: Metrics;
  logger: Logger;
}

export interface Requester {
  user: string;
  channel: string;
  teamId: string;
  respond: RespondFn;
}

async function tell(respond: RespondFn, text: string): Promise<void> {
  const m = buildRefusalMessage(text);
  await respond({
    response_type: 'ephemeral',
    replace_original: false,
    text: m.text,
    blocks: m.blocks,
  }).catch(() => undefined);
}

/** Enqueues the namespace triage; its listing is posted in the channel by the worker. */
export async function startTriage(
  deps: StartDeps,
  cluster: string,
  namespace: string,
  who: Requester,
): Promise<void> {
  try {
    const jobId = await deps.producer.addTriage({
      cluster,
      namespace,
      requestedBy: who.user,
      channel: who.channel,
      teamId: who.teamId,
      requestedAt: new Date().toISOString(),
    });
    deps.metrics.commands.inc({ result: 'enqueued' });
    deps.logger.info({ jobId, cluster, namespace, user: who.user, channel: who.channel }, 'triage requested');
  } catch (e) {
    deps.metrics.commands.inc({ result: 'error' });
    deps.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'could not start the triage');
    await tell(
      who.respond,
      'kube-autofix could not start the triage right now (its queue is unreachable). Try again in a minute.',
    );
  }
}

/** Opens the thread for a pod/ReplicaSet reference; the worker resolves it and investigates the owner there. */
export async function startResolve(
  deps: StartDeps,
  cluster: string,
  ref: TargetRef,
  who: Requester,
): Promise<void> {
  try {
    const threadTs = await deps.poster.post(
      who.channel,
      buildInvestigatingMessage({ target: ref, cluster, requestedBy: who.user }),
    );
    const jobId = await deps.producer.addResolve({
      cluster,
      ref,
      requestedBy: who.user,
      thread: { channel: who.channel, threadTs, teamId: who.teamId },
      requestedAt: new Date().toISOString(),
    });
    deps.metrics.commands.inc({ result: 'enqueued' });
    deps.logger.info({ jobId, cluster, ref: `${ref.kind}/${ref.name}`, threadTs }, 'resolution requested');
  } catch (e) {
    deps.metrics.commands.inc({ result: 'error' });
    deps.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'could not start the resolution');
    await tell(
      who.respond,
      'kube-autofix could not start the investigation right now (Slack or its queue is unreachable). Nothing was started; try again in a minute.',
    );
  }
}
