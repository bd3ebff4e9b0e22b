// The parent run of one investigation: its own run handle, nested iteration/apply runs, its story, the trace export.
import { exportTrace } from './export-trace.js';
import { mergeStory, type IncidentStory } from './incident-story.js';
import {
  createMlflowRunHandle,
  runRef,
  type MlflowRunHandle,
  type RunContext,
  type RunRef,
} from './mlflow-run-handle.js';
import type { PastIncident } from './past-incidents.js';
import { rootInputs, rootOutputs, rootSpanName } from './root-span.js';
import { writeStory } from './story-writer.js';
import type { RecordingSpan } from './trace-recorder.js';
import type { InvestigationRun, RunHandle, RunStatus } from './tracker.js';

export interface InvestigationRunInput {
  ctx: RunContext;
  ref: RunRef | null;
  /** The root span when this process started the investigation; null for a resumed one (already exported). */
  root: RecordingSpan | null;
  rootSpanId: string;
  serviceVersion: string;
  /** The story so far: fresh for a new investigation, read back from the run for a resumed one. */
  story: IncidentStory | null;
  past: readonly PastIncident[];
}

/**
 * A resumed round re-sends the root span (same id, same start) with the outputs it now knows: MLflow
 * upserts spans, so the trace's outputs tell the decision and the rollout too.
 */
function refreshRoot(p: InvestigationRunInput, story: IncidentStory): RecordingSpan {
  const startMs = Date.parse(story.request.at);
  const at = { startMs, durationMs: Math.max(0, Date.now() - startMs) };
  const attrs = { ...rootInputs(story), 'mlflow.traceTag.autofix.run_id': p.ref?.runId ?? '' };
  return p.ctx.recorder.startSpan(rootSpanName(story.target), 'agent', attrs, null, p.rootSpanId, at);
}

export function createMlflowInvestigationRun(p: InvestigationRunInput): InvestigationRun {
  const { ctx, ref } = p;
  const own = createMlflowRunHandle(ctx, ref, p.root, p.rootSpanId);
  const children: MlflowRunHandle[] = [];
  let story = p.story;

  /** A nested run (`mlflow.parentRunId`) and the span standing for it under the root span. */
  async function nested(runName: string, spanName: string, tags: Record<string, string>): Promise<RunHandle> {
    const create = async (parent: RunRef): Promise<RunRef> => {
      const input = { experimentId: parent.experimentId, runName, tags, parentRunId: parent.runId };
      return runRef(ctx.client, await ctx.client.createRun(input));
    };
    const child = ref ? await ctx.guard.run(`start the ${runName} run`, () => create(ref), null) : null;
    const span = ctx.recorder.startSpan(spanName, 'chain', tags, p.rootSpanId);
    const handle = createMlflowRunHandle(ctx, child, span);
    children.push(handle);
    return handle;
  }

  /** Nested runs another process left RUNNING (it was killed mid-iteration): they end with their parent. */
  async function endOrphans(parent: RunRef, status: RunStatus): Promise<void> {
    const filter = `tags.mlflow.parentRunId = '${parent.runId}' and attributes.status = 'RUNNING'`;
    const open = await ctx.guard.run(
      'find nested runs left open',
      () =>
        ctx.client.searchRuns({
          experimentIds: [parent.experimentId],
          filter,
          orderBy: [],
          maxResults: 100,
        }),
      [],
    );
    for (const r of open.filter((o) => !children.some((c) => c.runId === o.info.run_id)))
      await ctx.guard.run(
        `end nested run ${r.info.run_id}`,
        () => ctx.client.updateRun(r.info.run_id, status, Date.now()),
        undefined,
      );
  }

  async function end(status: RunStatus): Promise<void> {
    if (own.ended) return;
    // Nested runs the agent left open end with their parent, so none stays RUNNING forever.
    for (const child of children) if (!child.ended) await child.end(status);
    if (ref && p.root === null) await endOrphans(ref, status);
    const root = p.root ?? (story && ref ? refreshRoot(p, story) : null);
    root?.setAttributes(story ? rootOutputs(story) : { 'mlflow.spanOutputs': { status } });
    if (root !== p.root) root?.end(status === 'FINISHED' ? undefined : `run ${status.toLowerCase()}`);
    // The run's status first: it matters more than the trace if the server fails half-way.
    await own.end(status);
    if (!ref) return;
    await exportTrace({
      ...ctx,
      experimentId: ref.experimentId,
      runId: ref.runId,
      serviceVersion: p.serviceVersion,
    });
  }

  return {
    runId: own.runId,
    runUrl: own.runUrl,
    logParams: own.logParams,
    logMetrics: own.logMetrics,
    setTags: own.setTags,
    logArtifact: own.logArtifact,
    startSpan: own.startSpan,
    past: p.past,
    get warnings() {
      return ctx.guard.warnings;
    },
    async startIteration(n) {
      const iteration = await nested(`iteration-${n}`, `iteration ${n}`, { 'autofix.iteration': String(n) });
      // Per-iteration metrics also go to the parent at step n, so investigations compare by iteration.
      const logMetrics = async (metrics: Record<string, number>, step = n): Promise<void> => {
        await iteration.logMetrics(metrics, step);
        await own.logMetrics(metrics, step);
      };
      return { ...iteration, logMetrics };
    },
    startApply: () => nested('apply', 'apply', { 'autofix.step': 'apply' }),
    async tellStory(patch) {
      const local = story ? mergeStory(story, patch) : null;
      const written = ref
        ? await ctx.guard.run(
            'update the run description',
            () => writeStory(ctx.client, ref.runId, patch, story),
            null,
          )
        : null;
      story = written ?? local;
    },
    end,
  };
}
