// MlflowTracker: one parent run per investigation, nested runs per iteration and for apply, a trace at the end.
import type { MlflowConfig } from '../config/config.js';
import { isMlflowError } from './mlflow-error.js';
import { createMlflowClient, type MlflowClient } from './mlflow-client.js';
import type { MlflowHttpOptions } from './mlflow-http.js';
import { newStory, parseStory, type IncidentStory } from './incident-story.js';
import { createMlflowInvestigationRun } from './mlflow-investigation-run.js';
import { runRef, type RunContext, type RunRef } from './mlflow-run-handle.js';
import type { PastIncident } from './past-incidents.js';
import { STORY_TAG, storyRunTags } from './render-story.js';
import { investigationRunName, rootInputs, rootSpanName } from './root-span.js';
import {
  createTraceRecorder,
  randomSpanId,
  rootSpanIdForRun,
  traceIdForRun,
  type AttrValue,
} from './trace-recorder.js';
import {
  createOutageBreaker,
  createTrackingGuard,
  type TrackingGuard,
  type TrackingWarning,
} from './tracking-guard.js';
import type { AlertTrigger } from '../domain/index.js';
import type { InvestigationInfo, Tracker } from './tracker.js';
import { readHistory, targetTag } from './workload-history.js';
import { createFeedbackRecorder } from './feedback-recorder.js';
import { StoryDecision } from './incident-story.js';
import { alertResolvedPatch, decisionPatch } from './story-patches.js';
import { writeStory } from './story-writer.js';

export { investigationRunName } from './root-span.js';

/** Past investigations read for context at the start of a new one. */
const RECALL_LIMIT = 20;

export interface MlflowTrackerOptions {
  /** Called once per recorded warning (an outage counts once per investigation): the metrics hook. */
  onWarning?: (warning: TrackingWarning) => void;
  http?: MlflowHttpOptions;
  /** Workspace URL for run links when the tracking URI is the bare `databricks`. */
  databricksHost?: string | null;
  /** After an outage, new investigations skip MLflow for this long instead of waiting on it again. */
  cooldownMs?: number;
  /** Reported as the trace's service.version. */
  serviceVersion?: string;
  /** A client to use instead of one built from the config (tests). */
  client?: MlflowClient;
  /** Where a decision that could not be tagged is reported (it never fails the decision). */
  onDecisionTagFailed?: (runId: string, err: unknown) => void;
}

/** The run-level facts of an investigation as params and tags (issue 4's names). */
export function investigationFacts(info: InvestigationInfo): {
  params: Record<string, string>;
  tags: Record<string, string>;
} {
  const { target } = info;
  const params = {
    target_kind: target.kind,
    target_name: target.name,
    namespace: target.namespace,
    engine: info.engine,
    model: info.model,
    max_iterations: String(info.maxIterations),
    policy_level: info.policyLevel,
    agent_version: info.agentVersion,
  };
  const tags: Record<string, string> = { 'autofix.target': targetTag(target), 'autofix.engine': info.engine };
  if (info.requestedBy) tags['autofix.requested_by'] = info.requestedBy;
  if (info.channel) tags['autofix.channel'] = info.channel;
  return { params, tags };
}

/** The alert's facts as the story keeps them (its kind is implied by being there). */
function alertFacts({ kind: _kind, ...facts }: AlertTrigger): Omit<AlertTrigger, 'kind'> {
  return facts;
}

/** The story's first page: who asked, where and when. */
export function storyOf(info: InvestigationInfo, at: Date): IncidentStory {
  return newStory(info.target, {
    requestedBy: info.requestedBy,
    channel: info.channel,
    threadUrl: info.threadUrl ?? null,
    sessionId: info.sessionId ?? null,
    at: at.toISOString(),
    alert: info.alert ? { ...alertFacts(info.alert), resolvedAt: null } : null,
  });
}

function rootAttributes(
  story: IncidentStory,
  info: InvestigationInfo,
  ref: RunRef | null,
): Record<string, AttrValue> {
  const attrs: Record<string, AttrValue> = {
    ...rootInputs(story, { engine: info.engine, model: info.model }),
    // Root-span attributes `mlflow.traceTag.<key>` become trace tags on the server.
    'mlflow.traceTag.autofix.target': targetTag(info.target),
  };
  if (ref) attrs['mlflow.traceTag.autofix.run_id'] = ref.runId;
  return attrs;
}

export function createMlflowTracker(config: MlflowConfig, opts: MlflowTrackerOptions = {}): Tracker {
  const client =
    opts.client ?? createMlflowClient(config, { ...opts.http, databricksHost: opts.databricksHost ?? null });
  const breaker = createOutageBreaker(opts.cooldownMs ?? 60_000);
  const serviceVersion = opts.serviceVersion ?? '0.0.0';
  let experimentId: Promise<string> | null = null;

  /** Looked up (or created) once per tracker; a failed lookup is forgotten so the next investigation retries. */
  function experiment(): Promise<string> {
    if (!experimentId) {
      const lookup = client.getOrCreateExperiment(config.experimentName).then((e) => e.experiment_id);
      lookup.catch(() => {
        if (experimentId === lookup) experimentId = null;
      });
      experimentId = lookup;
    }
    return experimentId;
  }

  /** Earlier investigations of the workload; none when MLflow cannot tell (the guard warns once). */
  function recall(
    guard: TrackingGuard,
    target: InvestigationInfo['target'],
    exclude: string | null,
  ): Promise<PastIncident[]> {
    const read = (): Promise<PastIncident[]> =>
      readHistory(client, config.experimentName, target, { limit: RECALL_LIMIT, exclude });
    return guard.run('read the workload history', read, []);
  }

  async function createParent(info: InvestigationInfo, story: IncidentStory): Promise<RunRef> {
    const create = async (): Promise<RunRef> => {
      const input = {
        experimentId: await experiment(),
        runName: investigationRunName(info.target),
        tags: { ...investigationFacts(info).tags, ...storyRunTags(story) },
      };
      return runRef(client, await client.createRun(input));
    };
    try {
      return await create();
    } catch (e) {
      // The cached experiment may have been deleted meanwhile: look it up (restoring it) once more.
      if (!isMlflowError(e) || e.serverUnusable || e.status === null || e.status >= 500) throw e;
      experimentId = null;
      return create();
    }
  }

  const feedback = createFeedbackRecorder(client);

  return {
    enabled: true,

    async recordDecision(runId, tags) {
      if (!runId) return;
      try {
        await client.logBatch(runId, { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
        // The decision also joins the run's story (its description), who and when.
        const decision = StoryDecision.shape.decision.safeParse(tags['autofix.decision']);
        const by = tags['autofix.approved_by'] ?? tags['autofix.rejected_by'] ?? null;
        if (decision.success) await writeStory(client, runId, decisionPatch(decision.data, by));
      } catch (e) {
        opts.onDecisionTagFailed?.(runId, e);
      }
    },

    async recordAlertResolved(runId, resolvedAt) {
      if (!runId) return;
      try {
        const story = await writeStory(client, runId, alertResolvedPatch(resolvedAt));
        // A run without a story (an older run) still gets the filterable tag.
        if (!story?.request.alert)
          await client.logBatch(runId, { tags: [{ key: 'autofix.alert.resolved_at', value: resolvedAt }] });
      } catch (e) {
        opts.onDecisionTagFailed?.(runId, e);
      }
    },

    async recordFeedback(input) {
      const r = await feedback.record(input);
      return { replaced: r.replaced };
    },

    history: (target, limit) => readHistory(client, config.experimentName, target, { limit }),

    async startInvestigation(info) {
      const guard = createTrackingGuard(breaker, opts.onWarning);
      const story = storyOf(info, new Date());
      const past = await recall(guard, info.target, null);
      const ref = await guard.run('start the investigation run', () => createParent(info, story), null);
      const recorder = createTraceRecorder(ref ? traceIdForRun(ref.runId) : randomSpanId() + randomSpanId());
      const rootSpanId = ref ? rootSpanIdForRun(ref.runId) : randomSpanId();
      const attrs = rootAttributes(story, info, ref);
      const root = recorder.startSpan(rootSpanName(info.target), 'agent', attrs, null, rootSpanId);
      if (ref) {
        const params = Object.entries(investigationFacts(info).params).map(([key, value]) => ({
          key,
          value,
        }));
        await guard.run(
          'log the investigation params',
          () => client.logBatch(ref.runId, { params }),
          undefined,
        );
      }
      const ctx: RunContext = { client, guard, recorder };
      return createMlflowInvestigationRun({ ctx, ref, root, rootSpanId, serviceVersion, story, past });
    },

    async resumeInvestigation(runId) {
      const guard = createTrackingGuard(breaker, opts.onWarning);
      let story: IncidentStory | null = null;
      const reopen = async (): Promise<RunRef> => {
        const run = await client.getRun(runId);
        story = parseStory(run.data.tags.find((t) => t.key === STORY_TAG)?.value);
        await client.updateRun(runId, 'RUNNING');
        return runRef(client, run.info);
      };
      const ref = await guard.run(`reopen run ${runId}`, reopen, null);
      const resumed = story as IncidentStory | null;
      const ctx: RunContext = { client, guard, recorder: createTraceRecorder(traceIdForRun(runId)) };
      // The root span was exported by the process that started the investigation; new spans join it.
      return createMlflowInvestigationRun({
        ctx,
        ref,
        root: null,
        rootSpanId: rootSpanIdForRun(runId),
        serviceVersion,
        story: resumed,
        // The first round read the history and put its line in the story; later rounds reuse it.
        past: [],
      });
    },
  };
}
