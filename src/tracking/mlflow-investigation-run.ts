// The parent run of one investigation: its own run handle, nested iteration/apply runs, its story and spans,
// all kept in memory until `end` flushes them (flush-run.ts) — for the worker, after the proposal is posted.
import { flushRun } from './flush-run.js';
import { mergeStory, type IncidentStory, type StoryPatch } from './incident-story.js';
import {
  createMlflowRunHandle,
  spanErrorFor,
  type MlflowRunHandle,
  type RunContext,
  type RunRef,
} from './mlflow-run-handle.js';
import type { PastIncident } from './past-incidents.js';
import { rootInputs, rootOutputs, rootSpanName } from './root-span.js';
import { rootSpanIdForRun, traceIdForRun, type RecordingSpan } from './trace-recorder.js';
import type { InvestigationRun, RunHandle, RunStatus } from './tracker.js';

export interface InvestigationRunInput {
  ctx: RunContext;
  /** The run on the server, or null when it could not be created; a new one's creation runs beside the investigation. */
  ref: Promise<RunRef | null>;
  /** The root span when this process started the investigation; null for a resumed one (already exported). */
  root: RecordingSpan | null;
  /** The root span's id as the spans recorded so far know it (provisional until the run id is known). */
  rootSpanId: string;
  serviceVersion: string;
  /** The story so far: fresh for a new investigation, read back from the run for a resumed one. */
  story: IncidentStory | null;
  /** Earlier investigations of the workload as far as known now. */
  past: () => readonly PastIncident[];
  /** The history read under way beside the run's creation, when `settled` waits for it too. */
  pastRead?: Promise<unknown>;
  /** How long the flush at `end` may take. */
  flushDeadlineMs: number;
  /** Tags known only after the run was created (e.g. the linked prompt versions), written with the rest at `end`. */
  lateTags?: Promise<Record<string, string>>;
  /** Called with the story as written once the run has ended and been flushed. */
  onFlushed?: (story: IncidentStory | null, ref: RunRef) => void;
}

/**
 * A resumed round re-sends the root span (same id, same start) with the outputs it now knows: MLflow
 * upserts spans, so the trace's outputs tell the decision and the rollout too.
 */
function refreshRoot(p: InvestigationRunInput, story: IncidentStory, ref: RunRef): RecordingSpan {
  const startMs = Date.parse(story.request.at);
  const at = { startMs, durationMs: Math.max(0, Date.now() - startMs) };
  const attrs = { ...rootInputs(story), 'mlflow.traceTag.autofix.run_id': ref.runId };
  return p.ctx.recorder.startSpan(rootSpanName(story.target), 'agent', attrs, null, p.rootSpanId, at);
}

export function createMlflowInvestigationRun(p: InvestigationRunInput): InvestigationRun {
  const { ctx } = p;
  // The root span is ended by `end`, once the outputs it carries are known (after the story is read back).
  const own = createMlflowRunHandle(ctx, {}, null, p.rootSpanId);
  const children: MlflowRunHandle[] = [];
  let story = p.story;
  const patches: StoryPatch[] = [];
  const refP = p.ref.then((ref) => {
    own.created(ref);
    return ref;
  });

  let lastStart = 0;
  /** A nested run (`mlflow.parentRunId`), created by the flush, and the span standing for it under the root span. */
  function nested(runName: string, spanName: string, tags: Record<string, string>): RunHandle {
    const span = ctx.recorder.startSpan(spanName, 'chain', tags, p.rootSpanId);
    // Strictly increasing: nested runs are read back in start-time order, and two can start in one millisecond.
    lastStart = Math.max(Date.now(), lastStart + 1);
    const handle = createMlflowRunHandle(ctx, { pending: { runName, tags, startTime: lastStart } }, span);
    children.push(handle);
    return handle;
  }

  async function end(status: RunStatus): Promise<void> {
    if (own.ended) return;
    // Nested runs the agent left open end with their parent, so none stays RUNNING forever.
    for (const child of children) if (!child.ended) await child.end(status);
    const ref = await refP;
    if (ref) {
      // The trace is keyed by the run, whose id the server answered while the investigation ran.
      ctx.recorder.bind(traceIdForRun(ref.runId), { [p.rootSpanId]: rootSpanIdForRun(ref.runId) });
      p.root?.setAttributes({ 'mlflow.traceTag.autofix.run_id': ref.runId });
    }
    const root = p.root ?? (story && ref ? refreshRoot(p, story, ref) : null);
    const outputs = (s: IncidentStory | null): void =>
      root?.setAttributes(s ? rootOutputs(s) : { 'mlflow.spanOutputs': { status } });
    if (ref && p.lateTags) await own.setTags(await p.lateTags);
    await own.end(status);
    if (!ref) return;
    const written = await flushRun({
      ctx,
      parent: own,
      children,
      story: { patches: patches.splice(0), base: story },
      // A resumed run's nested runs may include one a killed process left open.
      endOrphans: p.root === null ? status : null,
      serviceVersion: p.serviceVersion,
      linkTrace: p.root === null,
      deadlineMs: p.flushDeadlineMs,
      // The trace's outputs tell the story as stored, which other processes may have added to.
      beforeTrace: (s) => {
        outputs(s ?? story);
        root?.end(spanErrorFor(status));
      },
    });
    story = written ?? story;
    p.onFlushed?.(story, ref);
  }

  return {
    get runId() {
      return own.runId;
    },
    get runUrl() {
      return own.runUrl;
    },
    logParams: own.logParams,
    logMetrics: own.logMetrics,
    setTags: own.setTags,
    logArtifact: own.logArtifact,
    startSpan: own.startSpan,
    get past() {
      return p.past();
    },
    get warnings() {
      return ctx.guard.warnings;
    },
    async startIteration(n) {
      const iteration = nested(`iteration-${n}`, `iteration ${n}`, { 'autofix.iteration': String(n) });
      // Per-iteration metrics also go to the parent at step n, so investigations compare by iteration.
      const logMetrics = async (metrics: Record<string, number>, step = n): Promise<void> => {
        await iteration.logMetrics(metrics, step);
        await own.logMetrics(metrics, step);
      };
      return {
        get runId() {
          return iteration.runId;
        },
        get runUrl() {
          return iteration.runUrl;
        },
        logParams: iteration.logParams,
        setTags: iteration.setTags,
        logArtifact: iteration.logArtifact,
        startSpan: iteration.startSpan,
        end: iteration.end,
        logMetrics,
      };
    },
    startApply: async () => nested('apply', 'apply', { 'autofix.step': 'apply' }),
    settled: async () => {
      await Promise.all([refP, p.pastRead]);
    },
    async tellStory(patch) {
      story = story ? mergeStory(story, patch) : null;
      patches.push(patch);
    },
    end,
  };
}
