// The parent run of one investigation: its own run handle, nested iteration/apply runs, and the trace export at end.
import { exportTrace } from './export-trace.js';
import {
  createMlflowRunHandle,
  runRef,
  type MlflowRunHandle,
  type RunContext,
  type RunRef,
} from './mlflow-run-handle.js';
import type { RecordingSpan } from './trace-recorder.js';
import type { InvestigationRun, RunHandle } from './tracker.js';

export interface InvestigationRunInput {
  ctx: RunContext;
  ref: RunRef | null;
  /** The root span when this process started the investigation; null for a resumed one (already exported). */
  root: RecordingSpan | null;
  rootSpanId: string;
  serviceVersion: string;
}

export function createMlflowInvestigationRun(p: InvestigationRunInput): InvestigationRun {
  const { ctx, ref } = p;
  const own = createMlflowRunHandle(ctx, ref, p.root, p.rootSpanId);
  const children: MlflowRunHandle[] = [];

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

  return {
    runId: own.runId,
    runUrl: own.runUrl,
    logParams: own.logParams,
    logMetrics: own.logMetrics,
    setTags: own.setTags,
    logArtifact: own.logArtifact,
    startSpan: own.startSpan,
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
    async end(status) {
      if (own.ended) return;
      // Nested runs the agent left open end with their parent, so none stays RUNNING forever.
      for (const child of children) if (!child.ended) await child.end(status);
      p.root?.setAttributes({ 'mlflow.spanOutputs': { status } });
      // The run's status first: it matters more than the trace if the server fails half-way.
      await own.end(status);
      if (!ref) return;
      await exportTrace({
        ...ctx,
        experimentId: ref.experimentId,
        runId: ref.runId,
        serviceVersion: p.serviceVersion,
      });
    },
  };
}
