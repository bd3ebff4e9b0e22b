// The one place an investigation's bookkeeping reaches MLflow: nested runs created, one log-batch per run
// (split within the server's limits), one PUT per artifact, run statuses, the story, then the trace, bounded in time.
import { isMlflowError } from './mlflow-error.js';
import type { IncidentStory, StoryPatch } from './incident-story.js';
import type { MlflowRunHandle, RunContext, RunRef, RunWrites } from './mlflow-run-handle.js';
import { runRef } from './mlflow-run-handle.js';
import { extendStory } from './story-writer.js';
import type { RunStatus } from './tracker.js';

export interface FlushInput {
  ctx: RunContext;
  /** The investigation's (parent) run. */
  parent: MlflowRunHandle;
  /** Its nested runs (iterations, apply), created here when they are still only in memory. */
  children: readonly MlflowRunHandle[];
  /** What the story learned since the last flush, and the story to start from when the run has none. */
  story: { patches: readonly StoryPatch[]; base: IncidentStory | null };
  /** Nested runs another process left RUNNING end with this status (a resumed run whose worker was killed). */
  endOrphans: RunStatus | null;
  serviceVersion: string;
  /** Trace spans whose root is not in this export (a resumed run) need the explicit link to the run. */
  linkTrace: boolean;
  /** The whole flush gives up after this long; what did not make it is reported once. */
  deadlineMs: number;
  /** Called with the story as read back and extended (null when none was written), before the trace goes. */
  beforeTrace?: (story: IncidentStory | null) => void;
}

const ARTIFACT_PARALLEL = 6;

async function createPending(ctx: RunContext, parent: RunRef, run: MlflowRunHandle): Promise<void> {
  const p = run.pending;
  if (!p || run.ref) return;
  const input = { ...p, experimentId: parent.experimentId, parentRunId: parent.runId };
  const ref = await ctx.guard.run(
    `start the ${p.runName} run`,
    async (): Promise<RunRef> => runRef(ctx.client, await ctx.client.createRun(input)),
    null,
  );
  run.created(ref);
}

/** One log-batch (split only where MLflow's limits need it); a refused item retried kind by kind, so it loses nothing else. */
async function logWrites(ctx: RunContext, runId: string, w: RunWrites): Promise<void> {
  const kinds = [
    { what: 'log params', batch: { params: w.params } },
    { what: 'set tags', batch: { tags: w.tags } },
    { what: 'log metrics', batch: { metrics: w.metrics } },
  ].filter((k) => Object.values(k.batch)[0]!.length > 0);
  if (kinds.length === 0) return;
  const whole = { params: w.params, tags: w.tags, metrics: w.metrics };
  const logged = await ctx.guard.run(
    kinds.length === 1 ? kinds[0]!.what : 'log params, tags and metrics',
    async () => {
      try {
        await ctx.client.logBatch(runId, whole);
        return true;
      } catch (e) {
        // A 400 for one item (a rewritten param) refuses the whole request: send each kind on its own.
        if (kinds.length > 1 && isMlflowError(e) && !e.serverUnusable) return false;
        throw e;
      }
    },
    true,
  );
  if (logged) return;
  await Promise.all(
    kinds.map((k) => ctx.guard.run(k.what, () => ctx.client.logBatch(runId, k.batch), undefined)),
  );
}

async function uploadArtifacts(ctx: RunContext, ref: RunRef, w: RunWrites): Promise<void> {
  const queue = [...w.artifacts];
  const lane = async (): Promise<void> => {
    for (let a = queue.shift(); a; a = queue.shift()) {
      const item = a;
      await ctx.guard.run(
        'upload artifacts',
        () => ctx.client.uploadArtifact(ref.artifactUri, item.path, item.text, item.contentType),
        undefined,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(ARTIFACT_PARALLEL, queue.length) }, lane));
}

/** Data first, then the status: a run marked ended has everything it will ever get. */
async function writeRun(ctx: RunContext, run: MlflowRunHandle, extraTags: Record<string, string>) {
  const w = run.take();
  const ref = run.ref;
  if (!ref) return;
  for (const [key, value] of Object.entries(extraTags)) w.tags.push({ key, value });
  await Promise.all([logWrites(ctx, ref.runId, w), uploadArtifacts(ctx, ref, w)]);
  const end = w.end;
  if (end)
    await ctx.guard.run('end the run', () => ctx.client.updateRun(ref.runId, end.status, end.at), undefined);
}

/** The story is read back and extended, not overwritten: another process (the bot tagging a decision) may have added to it. */
async function storyTags(
  ctx: RunContext,
  ref: RunRef,
  story: FlushInput['story'],
): Promise<{ story: IncidentStory | null; tags: Record<string, string> }> {
  if (story.patches.length === 0) return { story: null, tags: {} };
  const next = await ctx.guard.run(
    'update the run description',
    () => extendStory(ctx.client, ref.runId, story.patches, story.base),
    null,
  );
  return next ?? { story: null, tags: {} };
}

/** Ends the nested runs of `parent` still RUNNING that are not in `except` (another process left them open). */
export async function endOpenNestedRuns(
  ctx: Pick<RunContext, 'client' | 'guard'>,
  parent: Pick<RunRef, 'runId' | 'experimentId'>,
  status: RunStatus,
  except: ReadonlySet<string | null> = new Set(),
): Promise<void> {
  const filter = `tags.mlflow.parentRunId = '${parent.runId}' and attributes.status = 'RUNNING'`;
  const open = await ctx.guard.run(
    'find nested runs left open',
    () =>
      ctx.client.searchRuns({ experimentIds: [parent.experimentId], filter, orderBy: [], maxResults: 100 }),
    [],
  );
  await Promise.all(
    open
      .filter((o) => !except.has(o.info.run_id))
      .map((r) =>
        ctx.guard.run(
          `end nested run ${r.info.run_id}`,
          () => ctx.client.updateRun(r.info.run_id, status, Date.now()),
          undefined,
        ),
      ),
  );
}

async function flushAll(input: FlushInput): Promise<IncidentStory | null> {
  const { ctx, parent } = input;
  const ref = parent.ref;
  if (!ref) return null;
  const [story] = await Promise.all([
    storyTags(ctx, ref, input.story),
    ...input.children.map((c) => createPending(ctx, ref, c)),
  ]);
  await Promise.all([writeRun(ctx, parent, story.tags), ...input.children.map((c) => writeRun(ctx, c, {}))]);
  if (input.endOrphans)
    await endOpenNestedRuns(ctx, ref, input.endOrphans, new Set(input.children.map((c) => c.runId)));
  input.beforeTrace?.(story.story);
  // Loaded on the first export: the OpenTelemetry SDK stays out of a process that never flushes a run (the bot).
  const { exportTrace } = await import('./export-trace.js');
  await exportTrace({
    ...ctx,
    experimentId: ref.experimentId,
    runId: ref.runId,
    serviceVersion: input.serviceVersion,
    link: input.linkTrace,
  });
  return story.story;
}

/**
 * Writes everything the run and its nested runs recorded, and their trace, within `deadlineMs`; never
 * throws (problems are the guard's warnings). Returns the story as written, or null.
 */
export async function flushRun(input: FlushInput): Promise<IncidentStory | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), input.deadlineMs);
  });
  try {
    const done = await Promise.race([flushAll(input), late]);
    if (done !== 'late') return done;
    input.ctx.guard.warn(
      `MLflow bookkeeping did not finish within ${Math.round(input.deadlineMs / 1000)} s; the run may be incomplete`,
    );
    return null;
  } finally {
    clearTimeout(timer);
  }
}
