// The triage job: one bounded read of the namespace (one list call per kind, no logs), one message in the channel.
import { triageNamespace } from '../../agent/triage.js';
import { assertNamespaceAllowed } from '../../safety/namespace-allowlist.js';
import { buildTriageMessage } from '../../slack/blocks/triage-message.js';
import { isAutofixError } from '../../domain/index.js';
import { buildRefusalMessage } from '../../slack/blocks/refusal-message.js';
import { classifyFailure, describeFailure, isFinalAttempt } from '../classify-failure.js';
import { postOnce } from '../post-once.js';
import type { Processor } from '../worker-context.js';

/** On the last failed attempt the requester alone is told why (the channel gets no half listing). */
export const processTriage: Processor<'triage'> = async (data, job, ctx) => {
  try {
    return await triageOnce(data, job, ctx);
  } catch (e) {
    if (classifyFailure(e) === 'permanent' || isFinalAttempt(job)) {
      const why = isAutofixError(e) ? e.describe() : describeFailure(e);
      await ctx.poster
        .postEphemeral(
          data.channel,
          data.requestedBy,
          buildRefusalMessage(`Triage of ${data.namespace} failed: ${why}`),
        )
        .catch((err: unknown) =>
          ctx.logger.warn({ err: describeFailure(err) }, 'could not tell the requester'),
        );
    }
    throw e;
  }
};

const triageOnce: Processor<'triage'> = async (data, job, ctx) => {
  const jobId = String(job.id);
  // Checked again here: the allowlist may have shrunk between the command and the job.
  assertNamespaceAllowed(data.namespace, ctx.config.namespaces);
  if (await ctx.messages.get(jobId, 'outcome')) return 'reported';
  const report = await triageNamespace(ctx.agent.cluster, data.namespace, ctx.agent.config.policy);
  await postOnce(
    ctx,
    { jobId, slot: 'outcome' },
    { channel: data.channel },
    buildTriageMessage({ ...report, cluster: data.cluster, requestedBy: data.requestedBy }),
  );
  ctx.logger.info(
    { jobId, namespace: data.namespace, unhealthy: report.unhealthy.length, apiCalls: report.apiCalls },
    'triage posted',
  );
  return report.unhealthy.length === 0 ? 'healthy' : 'unhealthy';
};
