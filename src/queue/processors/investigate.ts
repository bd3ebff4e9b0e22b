// The investigate job: run the agent, edit one progress message, then post the proposal (or the outcome) once.
import type { Job } from 'bullmq';
import { investigate, type Investigation } from '../../agent/investigate.js';
import { LlmSpend, targetKey } from '../../domain/index.js';
import { assertNamespaceAllowed } from '../../safety/namespace-allowlist.js';
import { buildOutcomeMessage } from '../../slack/blocks/outcome-message.js';
import { buildProgressMessage } from '../../slack/blocks/progress-message.js';
import { classifyFailure, describeFailure, isFinalAttempt } from '../classify-failure.js';
import type { InvestigateJob } from '../jobs.js';
import { postOnce } from '../post-once.js';
import { incidentRefs } from '../incident-refs.js';
import { createProgressReporter } from '../progress-reporter.js';
import { proposalIdFor } from '../../workflow/proposal-record.js';
import { proposeRound } from '../../workflow/round.js';
import { proposingCluster } from '../../workflow/acting-as.js';
import type { Tracker } from '../../tracking/tracker.js';
import type { Processor, WorkerContext } from '../worker-context.js';
import { slackNotifier } from './slack-workflow.js';
import { within } from '../within.js';

/**
 * A tracker that remembers the run it starts: per job, so whoever recovers the job can end it; per thread, so
 * the bot can record there what happens later (an alert resolving).
 */
function rememberingTracker(ctx: WorkerContext, jobId: string, thread: InvestigateJob['thread']): Tracker {
  const base = ctx.agent.tracker;
  return {
    enabled: base.enabled,
    async startInvestigation(info) {
      const run = await base.startInvestigation({ ...info, jobId });
      // Recorded as soon as the server answers, beside the investigation (nothing waits for it): per job, so
      // whoever recovers the job can end it; per thread, so the bot can record there what happens later.
      void run
        .settled()
        .then(async () => {
          if (!run.runId) return;
          await ctx.messages.record(jobId, 'run', run.runId);
          await ctx.threads.set(thread, 'run', run.runId);
        })
        .catch((e: unknown) => ctx.logger.warn({ err: String(e) }, 'could not record the run of the job'));
      return run;
    },
    resumeInvestigation: (runId) => base.resumeInvestigation(runId),
    recordDecision: (runId, tags) => base.recordDecision(runId, tags),
    recordAlertResolved: (runId, at) => base.recordAlertResolved(runId, at),
    recordLabels: (runId, labels) => base.recordLabels(runId, labels),
    recordFeedback: (input) => base.recordFeedback(input),
    completeAbandonedRun: (runId, facts) => base.completeAbandonedRun(runId, facts),
    openRunsOfJob: (id) => base.openRunsOfJob(id),
    history: (target, limit) => base.history(target, limit),
  };
}

/**
 * A recovered job (its worker was killed) finds the runs the killed attempts left RUNNING and ends them
 * KILLED; this attempt records its own run. The run recorded for the job is one; MLflow is asked for the rest
 * (tag `autofix.job_id`): an attempt killed before the server's answer reached Redis recorded nothing. A
 * continuation's shared run is resumed, not killed.
 */
async function endInterruptedRuns(ctx: WorkerContext, job: Job, log: WorkerContext['logger']): Promise<void> {
  if (job.attemptsStarted <= 1) return;
  const jobId = String(job.id);
  const recorded = await ctx.messages.get(jobId, 'run');
  const open = await ctx.agent.tracker.openRunsOfJob(jobId);
  for (const runId of new Set([...(recorded ? [recorded] : []), ...open])) {
    const run = await ctx.agent.tracker.resumeInvestigation(runId);
    await run.setTags({ 'autofix.outcome': 'interrupted' });
    await run.end('KILLED');
    log.warn({ runId }, 'the interrupted attempt left its run RUNNING; ended it KILLED');
  }
  if (recorded) await ctx.messages.forget(jobId, 'run');
}

/**
 * Ends (and so writes) the round's run; true when tracking had no problem at all in this round. After a
 * problem the watch stays: it looks again later and completes the run if it is still RUNNING.
 */
async function endRun(inv: Investigation): Promise<boolean> {
  await inv.run.end('FINISHED');
  return inv.run.warnings.length === 0;
}

const KEEP_SPEND_MS = 5000;

/**
 * What this job's investigation has spent on the LLM before this attempt: what an earlier attempt kept (a
 * call it was killed in counts at its bound), else what the rounds it continues spent.
 */
async function spentBefore(
  ctx: WorkerContext,
  jobId: string,
  data: InvestigateJob,
): Promise<LlmSpend | undefined> {
  const raw = await ctx.messages.get(jobId, 'spent');
  if (raw === null) return data.continuation?.spent;
  let json: unknown = null;
  try {
    json = JSON.parse(raw);
  } catch {
    json = null;
  }
  const kept = LlmSpend.safeParse(json);
  if (kept.success) return kept.data;
  ctx.logger.warn({ jobId }, 'the LLM spend an earlier attempt recorded is unreadable; ignored');
  return data.continuation?.spent;
}

async function runAgent(data: InvestigateJob, job: Job, ctx: WorkerContext): Promise<Investigation> {
  const jobId = String(job.id);
  const cont = data.continuation;
  const firstIteration = cont?.firstIteration ?? 1;
  const reporter = createProgressReporter({
    poster: ctx.poster,
    messages: ctx.messages,
    jobId,
    thread: data.thread,
    logger: ctx.logger,
    minIntervalMs: ctx.progressIntervalMs,
    firstIteration,
    render: (v) =>
      buildProgressMessage({
        target: data.target,
        iteration: v.iteration,
        maxIterations: ctx.config.maxIterations,
        lines: v.lines,
        done: v.done,
      }),
  });
  await reporter.start(
    job.attemptsStarted > 1 ? `resumed after an interruption (attempt ${job.attemptsStarted})` : undefined,
  );
  let inv: Investigation | null = null;
  if (!cont?.runId) await endInterruptedRuns(ctx, job, ctx.logger);
  try {
    const run = cont?.runId ? await ctx.agent.tracker.resumeInvestigation(cont.runId) : undefined;
    const budget = Math.max(1, ctx.config.maxIterations - firstIteration + 1);
    const spent = await spentBefore(ctx, jobId, data);
    const { cluster, dryRunDeferred } = await proposingCluster(
      ctx.agent.cluster,
      ctx.authority,
      ctx.config.identity,
      {
        requestedBy: data.requestedBy,
        proposalId: proposalIdFor(jobId),
        target: data.target,
      },
    );
    inv = await investigate(
      data.target,
      {
        ...ctx.agent,
        cluster,
        dryRunDeferred,
        tracker: rememberingTracker(ctx, jobId, data.thread),
        config: { ...ctx.agent.config, maxIterations: budget },
        progress: reporter.sink,
      },
      {
        clusterName: data.cluster,
        requestedBy: data.requestedBy,
        channel: data.thread.channel,
        alert: data.trigger ?? null,
        ...(cont ? {} : await incidentRefs(ctx.poster, data.thread)),
        previousAttempts: cont?.attempts,
        run,
        firstIteration,
        ...(spent ? { spent } : {}),
        // Bounded: a stalled Redis fails the attempt (it is retried) instead of eating the LLM call's time.
        keepSpend: (s) => within(KEEP_SPEND_MS, ctx.messages.put(jobId, 'spent', JSON.stringify(s))),
      },
    );
    return inv;
  } finally {
    await reporter.finish(inv !== null);
  }
}

async function investigateOnce(data: InvestigateJob, job: Job, ctx: WorkerContext): Promise<string> {
  const jobId = String(job.id);
  assertNamespaceAllowed(data.target.namespace, ctx.config.namespaces);
  // A retry of a job that already got this far only finishes the delivery.
  const existing = await ctx.store.get(proposalIdFor(jobId));
  if (existing) {
    await slackNotifier(ctx, job).proposal(existing);
    return 'proposed';
  }
  if (await ctx.messages.get(jobId, 'outcome')) return 'reported';

  const t0 = performance.now();
  const inv = await runAgent(data, job, ctx);
  ctx.metrics.investigationSeconds.observe({ outcome: inv.outcome }, (performance.now() - t0) / 1000);
  const runId = inv.run.runId;
  if (inv.outcome === 'proposed' && inv.proposal) {
    const requestedAt = Date.parse(data.requestedAt);
    const proposalId = proposalIdFor(jobId);
    if (runId) await ctx.bookkeeping.watch({ runId, outcome: 'proposed', proposalId });
    await proposeRound(
      {
        store: ctx.store,
        notifier: slackNotifier(ctx, job),
        clock: { now: ctx.now ?? Date.now },
        scheduleExpiry: async (record) => {
          await ctx.producer.addExpiry({ cluster: record.cluster, proposalId: record.id }, record.expiresAt);
        },
      },
      inv,
      {
        proposalId,
        jobId,
        cluster: data.cluster,
        thread: data.thread,
        requestedBy: data.requestedBy,
        requestedAt: Number.isFinite(requestedAt) ? requestedAt : null,
        firstIteration: data.continuation?.firstIteration ?? 1,
        ttlMs: ctx.config.slack.proposalTtlSeconds * 1000,
      },
    );
    await ctx.threads.set(data.thread, 'proposal', proposalIdFor(jobId));
    // The proposal is out: the run's bookkeeping is written now, off this job's slot. The apply job
    // reopens the run later, in whichever worker takes it.
    await ctx.bookkeeping.defer(runId, () => endRun(inv));
    return 'proposed';
  }
  if (runId) await ctx.bookkeeping.watch({ runId, outcome: inv.outcome, proposalId: null });
  const message = buildOutcomeMessage({
    target: data.target,
    outcome: inv.outcome === 'healthy' ? 'healthy' : 'no_safe_fix',
    diagnosis: inv.diagnosis,
    humanAction: inv.diagnosis?.humanAction ?? null,
    error: null,
    runUrl: inv.run.runUrl,
    feedbackRunId: inv.run.runId,
    attempts: inv.attempts.map((a) => `iteration ${a.iteration}: ${a.errors.join('; ')}`),
    iterations: inv.iterations,
    llm: inv.llm,
  });
  await postOnce(ctx, { jobId, slot: 'outcome' }, data.thread, message);
  await ctx.bookkeeping.defer(runId, () => endRun(inv));
  return inv.outcome;
}

/** Runs the investigation; on the last failed attempt tells the thread why, and frees the target either way. */
export const processInvestigate: Processor<'investigate'> = async (data, job, ctx) => {
  const jobId = String(job.id);
  const log = ctx.logger.child({ investigationId: jobId, target: targetKey(data.target) });
  const release = (): Promise<unknown> => ctx.active.release(data.target, jobId).catch(() => false);
  try {
    // Counted as running until its result is posted: bookkeeping of earlier rounds waits for it.
    const outcome = await ctx.bookkeeping.investigating(() =>
      investigateOnce(data, job, { ...ctx, logger: log }),
    );
    await release();
    return outcome;
  } catch (e) {
    if (classifyFailure(e) === 'permanent' || isFinalAttempt(job)) {
      log.warn({ err: describeFailure(e) }, 'investigation failed for good');
      const message = buildOutcomeMessage({
        target: data.target,
        outcome: 'error',
        diagnosis: null,
        humanAction: null,
        error: describeFailure(e),
        runUrl: null,
      });
      await postOnce(ctx, { jobId, slot: 'outcome' }, data.thread, message).catch((err: unknown) =>
        log.warn({ err: describeFailure(err) }, 'could not post the failure to the thread'),
      );
      await release();
    }
    throw e;
  }
};
