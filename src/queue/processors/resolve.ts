// The resolve job: `pod/<name>` or `replicaset/<name>` → the owning workload, said in the thread, then investigated there
// (or, for `history pod/<name>`, its history shown to the requester: resolve-history.ts).
import { resolveTarget } from '../../agent/collect/resolve-target.js';
import { isAutofixError } from '../../domain/index.js';
import { assertNamespaceAllowed } from '../../safety/namespace-allowlist.js';
import { buildRefusalMessage } from '../../slack/blocks/refusal-message.js';
import { buildResolvedMessage } from '../../slack/blocks/resolved-message.js';
import { classifyFailure, describeFailure, isFinalAttempt } from '../classify-failure.js';
import { postOnce } from '../post-once.js';
import type { Processor } from '../worker-context.js';
import { resolveForHistory } from './resolve-history.js';

export const processResolve: Processor<'resolve'> = async (data, job, ctx) => {
  if (data.then === 'history') return resolveForHistory(data, job, ctx);
  const jobId = String(job.id);
  // A retry after the investigation was handed on must not hand it on again (it would meet its own claim).
  if (await ctx.messages.get(jobId, 'followup')) return 'resolved';
  try {
    assertNamespaceAllowed(data.ref.namespace, ctx.config.namespaces);
    const { target, via } = await resolveTarget(ctx.agent.cluster, data.ref);
    const chain = via ?? `${target.kind.toLowerCase()}/${target.name}`;
    // The thread the bot opened for the reference becomes the investigation's thread: same dedupe, same claim.
    const res = await ctx.producer.addInvestigation(
      {
        cluster: data.cluster,
        target,
        requestedBy: data.requestedBy,
        channel: data.thread.channel,
        teamId: data.thread.teamId,
        ...(data.trigger ? { trigger: data.trigger } : {}),
      },
      () => Promise.resolve(data.thread.threadTs),
    );
    const running = res.kind === 'already_running' ? res.running : null;
    const where = running?.threadTs ? `its thread in <#${running.channel}>` : null;
    await postOnce(
      ctx,
      { jobId, slot: 'followup' },
      data.thread,
      buildResolvedMessage({
        via: chain,
        requestedBy: data.requestedBy,
        alreadyRunning: res.kind === 'already_running' ? { where } : null,
      }),
    );
    return res.kind === 'enqueued' ? 'resolved' : 'already_running';
  } catch (e) {
    if (classifyFailure(e) === 'permanent' || isFinalAttempt(job)) {
      const why = isAutofixError(e) ? e.describe() : describeFailure(e);
      await postOnce(ctx, { jobId, slot: 'outcome' }, data.thread, buildRefusalMessage(why));
    }
    throw e;
  }
};
