// MlflowTracker: one parent run per investigation, nested runs per iteration and for apply, a trace at the end.
import type { MlflowConfig } from '../config/config.js';
import { DEFAULT_CLUSTER } from '../domain/index.js';
import { isMlflowError } from './mlflow-error.js';
import { createMlflowClient, filterValue, type MlflowClient } from './mlflow-client.js';
import type { MlflowHttpOptions } from './mlflow-http.js';
import { newStory, parseStory, type IncidentStory } from './incident-story.js';
import { createMlflowInvestigationRun } from './mlflow-investigation-run.js';
import { runRef, type RunContext, type RunRef } from './mlflow-run-handle.js';
import type { PastIncident } from './past-incidents.js';
import type { TraceCollector } from './trace-collector.js';
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
import type { InvestigationInfo, StoryPatch, Tracker } from './tracker.js';
import { existingExperiment, incidentOfStory, readHistory, targetTag } from './workload-history.js';
import { createFeedbackRecorder } from './feedback-recorder.js';
import { StoryDecision } from './incident-story.js';
import { alertResolvedPatch, decisionPatch } from './story-patches.js';
import { extendStory } from './story-writer.js';
import { endOpenNestedRuns } from './flush-run.js';
import { BUNDLE_TAG, BUNDLE_VERSION } from './replay-bundle.js';
import {
  AGENT_VERSION_TAG,
  LINKED_PROMPTS_TAG,
  PROMPT_VERSION_TAG,
  promptVersion,
  registerPrompts,
  versionKey,
  type PromptTemplate,
  type RegisteredPrompt,
} from './agent-version.js';
import { feedbackLabels } from './outcome-labels.js';

export { investigationRunName } from './root-span.js';

/** Past investigations read for context at the start of a new one. */
const RECALL_LIMIT = 20;
/** How long a workload's history, once read, serves later investigations of it (updated as they end). */
const HISTORY_TTL_MS = 60_000;
/** A decision's story waits this long, looking this often, for the investigation's story to be written. */
const STORY_WAIT_MS = 30_000;
const STORY_POLL_MS = 500;

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
  /** The user's OTLP collector (OTEL_EXPORTER_OTLP_ENDPOINT): every trace goes there too. */
  collector?: TraceCollector | null;
  /** A client to use instead of one built from the config (tests). */
  client?: MlflowClient;
  /** Where a decision that could not be tagged is reported (it never fails the decision). */
  onDecisionTagFailed?: (runId: string, err: unknown) => void;
  /** How long the bookkeeping written when a run ends may take (default 30 s). */
  flushDeadlineMs?: number;
  /** How long a workload's history is reused (default 60 s). */
  historyTtlMs?: number;
  /**
   * Whether `settled` also waits for the history read (side by side with the run's creation): for a
   * one-shot CLI, whose person reads the whole answer. Off for the worker: its proposal never waits.
   */
  awaitHistory?: boolean;
  now?: () => number;
}

/** The queue job an investigation run was started by. */
export const JOB_TAG = 'autofix.job_id';

/** The run-level facts of an investigation as params and tags (issue 4's names). */
export function investigationFacts(info: InvestigationInfo): {
  params: Record<string, string>;
  tags: Record<string, string>;
} {
  const { target } = info;
  const prompts = promptVersion(info.prompts ?? []);
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
  const tags: Record<string, string> = {
    'autofix.target': targetTag(target),
    'autofix.cluster': info.cluster ?? DEFAULT_CLUSTER,
    'autofix.engine': info.engine,
    // Every iteration that reaches its engine leaves a bundle under replay/: the tag eval --replay searches.
    [BUNDLE_TAG]: String(BUNDLE_VERSION),
    // What runs group by: kube-autofix version, engine, model and prompt version (as replays are tagged).
    [AGENT_VERSION_TAG]: versionKey(info.agentVersion, info.engine, info.model, prompts),
    [PROMPT_VERSION_TAG]: prompts,
  };
  if (info.requestedBy) tags['autofix.requested_by'] = info.requestedBy;
  if (info.channel) tags['autofix.channel'] = info.channel;
  if (info.jobId) tags[JOB_TAG] = info.jobId;
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

function rootAttributes(story: IncidentStory, info: InvestigationInfo): Record<string, AttrValue> {
  return {
    ...rootInputs(story, { engine: info.engine, model: info.model }),
    // Root-span attributes `mlflow.traceTag.<key>` become trace tags on the server (autofix.run_id is
    // added once the run exists).
    'mlflow.traceTag.autofix.target': targetTag(info.target),
    'mlflow.traceTag.autofix.cluster': info.cluster ?? DEFAULT_CLUSTER,
  };
}

export function createMlflowTracker(config: MlflowConfig, opts: MlflowTrackerOptions = {}): Tracker {
  const client =
    opts.client ?? createMlflowClient(config, { ...opts.http, databricksHost: opts.databricksHost ?? null });
  const breaker = createOutageBreaker(opts.cooldownMs ?? 60_000);
  const serviceVersion = opts.serviceVersion ?? '0.0.0';
  const collector = opts.collector ?? null;
  const flushDeadlineMs = opts.flushDeadlineMs ?? 30_000;
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

  const now = opts.now ?? Date.now;
  const historyTtlMs = opts.historyTtlMs ?? HISTORY_TTL_MS;
  /** Per workload: when its history was read, and what it said (kept up to date as investigations end). */
  const histories = new Map<string, { at: number; past: Promise<PastIncident[]> }>();

  /**
   * Earlier investigations of the workload, read at most once per HISTORY_TTL_MS (a failed read is not
   * kept); none when MLflow cannot tell (the guard warns once).
   */
  function recall(
    guard: TrackingGuard,
    target: InvestigationInfo['target'],
    cluster: string,
  ): Promise<PastIncident[]> {
    const key = `${cluster}/${targetTag(target)}`;
    const cached = histories.get(key);
    if (cached && now() - cached.at < historyTtlMs) return cached.past;
    const read = (): Promise<PastIncident[]> =>
      readHistory(client, experiment, { ...target, cluster }, { limit: RECALL_LIMIT });
    const past = guard.run('read the workload history', read, null).then((p) => {
      if (p === null && histories.get(key)?.past === past) histories.delete(key);
      return p ?? [];
    });
    histories.set(key, { at: now(), past });
    return past;
  }

  /** An investigation that ended joins its workload's cached history, so the next one counts it. */
  function remember(
    target: InvestigationInfo['target'],
    cluster: string,
    story: IncidentStory | null,
    ref: RunRef,
    engine: string,
  ) {
    const key = `${cluster}/${targetTag(target)}`;
    const cached = histories.get(key);
    if (!cached || !story) return;
    const incident = incidentOfStory(ref, story, engine, Date.parse(story.request.at));
    histories.set(key, {
      at: cached.at,
      past: cached.past.then((p) => [incident, ...p.filter((x) => x.runId !== ref.runId)]),
    });
  }

  // The registry versions of a prompt set, registered once per process (again after a failure).
  const promptLinks = new Map<string, Promise<RegisteredPrompt[] | null>>();
  function linkedPrompts(
    guard: TrackingGuard,
    prompts: readonly PromptTemplate[],
  ): Promise<Record<string, string>> {
    if (prompts.length === 0) return Promise.resolve({});
    const key = promptVersion(prompts);
    let links = promptLinks.get(key);
    if (!links) {
      links = guard.run('register the diagnosis prompts', () => registerPrompts(client, prompts), null);
      const mine = links;
      void mine.then((l) => l === null && promptLinks.get(key) === mine && promptLinks.delete(key));
      promptLinks.set(key, links);
    }
    return links.then((l): Record<string, string> =>
      l?.length ? { [LINKED_PROMPTS_TAG]: JSON.stringify(l) } : {},
    );
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

  /**
   * Extends the story with what happened later (a decision, the alert resolving) once the investigation's own
   * story is on the run: the worker writes it after posting the proposal, so a fast click can come first;
   * writing before it would lose one of the two.
   */
  async function tellLater(runId: string, patch: StoryPatch): Promise<void> {
    for (let waited = 0; ; waited += STORY_POLL_MS) {
      const run = await client.getRun(runId);
      const stored = parseStory(run.data.tags.find((t) => t.key === STORY_TAG)?.value);
      if (stored?.outcome || waited >= STORY_WAIT_MS) {
        const next = await extendStory(client, runId, [patch], null, run);
        if (next)
          await client.logBatch(runId, {
            tags: Object.entries(next.tags).map(([key, value]) => ({ key, value })),
          });
        return;
      }
      await new Promise((r) => setTimeout(r, STORY_POLL_MS).unref());
    }
  }

  const feedback = createFeedbackRecorder(client);

  return {
    enabled: true,

    async recordDecision(runId, tags) {
      if (!runId) return;
      try {
        const list = Object.entries(tags).map(([key, value]) => ({ key, value }));
        await client.logBatch(runId, { tags: list });
      } catch (e) {
        opts.onDecisionTagFailed?.(runId, e);
        return;
      }
      // The decision also joins the run's story (its description), who and when — in the background, so
      // the decision (and the apply it starts) never waits on it.
      const decision = StoryDecision.shape.decision.safeParse(tags['autofix.decision']);
      const by = tags['autofix.approved_by'] ?? tags['autofix.rejected_by'] ?? null;
      if (decision.success)
        void tellLater(runId, decisionPatch(decision.data, by)).catch((e: unknown) =>
          opts.onDecisionTagFailed?.(runId, e),
        );
    },

    async completeAbandonedRun(runId, facts) {
      const guard = createTrackingGuard(breaker, opts.onWarning);
      const run = await guard.run(`read run ${runId}`, () => client.getRun(runId), null);
      if (!run) return 'unavailable';
      if (run.info.status !== 'RUNNING') return 'already_ended';
      const patches = facts.patch ? [facts.patch] : [];
      const story = await guard.run(
        'update the run description',
        () => extendStory(client, runId, patches, null, run),
        null,
      );
      const tags = {
        'autofix.bookkeeping': 'lost',
        'autofix.outcome': facts.outcome,
        ...(story?.tags ?? {}),
      };
      const list = Object.entries(tags).map(([key, value]) => ({ key, value }));
      await guard.run('tag the abandoned run', () => client.logBatch(runId, { tags: list }), undefined);
      await endOpenNestedRuns({ client, guard }, { runId, experimentId: run.info.experiment_id }, 'FINISHED');
      await guard.run('end the run', () => client.updateRun(runId, 'FINISHED', Date.now()), undefined);
      return guard.warnings.length > 0 ? 'unavailable' : 'completed';
    },

    async openRunsOfJob(jobId) {
      const guard = createTrackingGuard(breaker, opts.onWarning);
      const find = async (): Promise<string[]> => {
        const experimentId = await existingExperiment(client, config.experimentName)();
        if (!experimentId) return [];
        const runs = await client.searchRuns({
          experimentIds: [experimentId],
          filter: `tags.\`${JOB_TAG}\` = ${filterValue(jobId)} and attributes.status = 'RUNNING'`,
          orderBy: ['attributes.start_time ASC'],
          // A job has a few attempts; more open runs than this is not one job's doing.
          maxResults: 10,
        });
        return runs.map((r) => r.info.run_id);
      };
      return guard.run(`find the open runs of job ${jobId}`, find, []);
    },

    async recordAlertResolved(runId, resolvedAt) {
      if (!runId) return;
      try {
        // The filterable tag at once (a run without a story gets it too); the story's line in the background.
        await client.logBatch(runId, { tags: [{ key: 'autofix.alert.resolved_at', value: resolvedAt }] });
      } catch (e) {
        opts.onDecisionTagFailed?.(runId, e);
        return;
      }
      void tellLater(runId, alertResolvedPatch(resolvedAt)).catch((e: unknown) =>
        opts.onDecisionTagFailed?.(runId, e),
      );
    },

    async recordLabels(runId, labels) {
      if (!runId) return;
      try {
        await client.logBatch(runId, {
          tags: Object.entries(labels).map(([key, value]) => ({ key, value })),
        });
      } catch (e) {
        opts.onDecisionTagFailed?.(runId, e);
      }
    },

    async recordFeedback(input) {
      const r = await feedback.record(input);
      // The assessment is the record; the run's labels are what eval --replay reads with its search.
      const tags = Object.entries(feedbackLabels(input.helpful, input.reason)).map(([key, value]) => ({
        key,
        value,
      }));
      await client.logBatch(input.runId, { tags });
      return { replaced: r.replaced };
    },

    history: (target, limit) =>
      readHistory(client, existingExperiment(client, config.experimentName), target, { limit }),

    async startInvestigation(info) {
      const guard = createTrackingGuard(breaker, opts.onWarning);
      const story = storyOf(info, new Date());
      // The history is read beside the run's creation and the investigation; the proposal never waits for
      // it (unless awaitHistory): a "seen before" line not known by then is simply not shown.
      let past: readonly PastIncident[] = [];
      const cluster = info.cluster ?? DEFAULT_CLUSTER;
      const pastRead = recall(guard, info.target, cluster).then((p) => (past = p));
      // The only MLflow write before the proposal: the run, for the link the thread shows. It is created
      // while the investigation runs; the trace's ids, which derive from the run id, are bound at the end.
      // Registering the prompts never holds up the run (the thread's link, a killed attempt's record): their
      // versions are linked the way MLflow's link_prompt_version_to_run does, a run tag, written at the end.
      const links = linkedPrompts(guard, info.prompts ?? []);
      const ref = guard.run('start the investigation run', () => createParent(info, story), null);
      let runId: string | null = null;
      void ref.then((r) => (runId = r?.runId ?? null));
      const recorder = createTraceRecorder(randomSpanId() + randomSpanId());
      const rootSpanId = randomSpanId();
      const attrs = rootAttributes(story, info);
      const root = recorder.startSpan(rootSpanName(info.target), 'agent', attrs, null, rootSpanId);
      const ctx: RunContext = { client, guard, recorder, collector };
      const run = createMlflowInvestigationRun({
        ctx,
        ref,
        root,
        rootSpanId,
        serviceVersion,
        story,
        // The history read beside the run's creation may already list this very run.
        past: () => past.filter((p) => p.runId !== runId),
        pastRead: opts.awaitHistory ? pastRead : undefined,
        flushDeadlineMs,
        lateTags: links,
        onFlushed: (s, r) => remember(info.target, cluster, s, r, info.engine),
      });
      await run.logParams(investigationFacts(info).params);
      return run;
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
      const ctx: RunContext = {
        client,
        guard,
        recorder: createTraceRecorder(traceIdForRun(runId)),
        collector,
      };
      // The root span was exported by the process that started the investigation; new spans join it.
      return createMlflowInvestigationRun({
        ctx,
        ref: Promise.resolve(ref),
        root: null,
        rootSpanId: rootSpanIdForRun(runId),
        serviceVersion,
        story: resumed,
        // The first round read the history and put its line in the story; later rounds reuse it.
        past: () => [],
        flushDeadlineMs,
      });
    },
  };
}
