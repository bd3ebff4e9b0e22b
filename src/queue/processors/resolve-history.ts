// The resolve job's history branch: pod/ReplicaSet → owning workload, then its past investigations, to the requester only.
import type { Job } from 'bullmq';
import { resolveTarget, type ResolvedTarget } from '../../agent/collect/resolve-target.js';
import { isAutofixError } from '../../domain/index.js';
import { assertNamespaceAllowed } from '../../safety/namespace-allowlist.js';
import { buildHistoryMessage, historyUnavailableMessage } from '../../slack/blocks/history-message.js';
import { buildRefusalMessage } from '../../slack/blocks/refusal-message.js';
import type { SlackMessage } from '../../slack/slack-poster.js';
import { classifyFailure, describeFailure, isFinalAttempt } from '../classify-failure.js';
import type { ResolveForHistory } from '../jobs.js';
import type { WorkerContext } from '../worker-context.js';
import { HISTORY_LIMIT } from '../../slack/blocks/history-message.js';

/** How to get the history without the resolution, said with every refusal. */
function askDirectly(data: ResolveForHistory): string {
  return `History is kept per workload; if you know it, ask for it directly: \`/autofix history deployment/<name> -n ${data.ref.namespace}\`.`;
}

async function resolveOrRefuse(
  data: ResolveForHistory,
  job: Job,
  ctx: WorkerContext,
  tell: (m: SlackMessage) => Promise<void>,
): Promise<ResolvedTarget> {
  try {
    assertNamespaceAllowed(data.ref.namespace, ctx.config.namespaces);
    return await resolveTarget(ctx.agent.cluster, data.ref);
  } catch (e) {
    // Transient failures are retried quietly; the requester hears once, when it is final.
    if (classifyFailure(e) === 'permanent' || isFinalAttempt(job)) {
      const why = isAutofixError(e) ? e.describe() : describeFailure(e);
      await tell(buildRefusalMessage(`${why} ${askDirectly(data)}`));
    }
    throw e;
  }
}

export async function resolveForHistory(
  data: ResolveForHistory,
  job: Job,
  ctx: WorkerContext,
): Promise<string> {
  const tell = (m: SlackMessage): Promise<void> =>
    ctx.poster.postEphemeral(data.channel, data.requestedBy, m);
  const { target, via } = await resolveOrRefuse(data, job, ctx, tell);
  const tracker = ctx.agent.tracker;
  if (!tracker.enabled) {
    await tell(
      historyUnavailableMessage('MLflow tracking is not configured on the worker (MLFLOW_TRACKING_URI).'),
    );
    return 'history_unavailable';
  }
  const past = await tracker
    .history({ ...target, cluster: data.cluster }, HISTORY_LIMIT)
    .catch((e: unknown) => {
      ctx.logger.warn({ jobId: job.id, err: describeFailure(e) }, 'could not read the history');
      return null;
    });
  // As for a workload asked directly: an MLflow outage is said, not retried.
  if (!past) {
    await tell(historyUnavailableMessage('MLflow did not answer; try again in a minute.'));
    return 'history_unavailable';
  }
  await tell(buildHistoryMessage(target, past, via));
  return 'history';
}
