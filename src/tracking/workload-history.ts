// Reads past investigations of one workload on one cluster from MLflow (runs/search on the autofix.target and
// autofix.cluster tags), newest first.
import { Category, DEFAULT_CLUSTER } from '../domain/index.js';
import { parseStory, type IncidentStory } from './incident-story.js';
import { filterValue, type MlflowClient } from './mlflow-client.js';
import type { MlflowRun } from './mlflow-schemas.js';
import type { PastIncident } from './past-incidents.js';
import { STORY_TAG, storyTags } from './render-story.js';

export interface WorkloadRef {
  kind: string;
  name: string;
  namespace: string;
  /** The cluster it runs on; runs recorded before clusters existed count as the default one's. */
  cluster?: string;
}

/** At most this many runs are read, whatever a caller asks for. */
export const MAX_HISTORY = 50;

/** `deployment/shop/web`: the `autofix.target` tag, so runs for one workload can be searched. */
export function targetTag(target: WorkloadRef): string {
  return `${target.kind.toLowerCase()}/${target.namespace}/${target.name}`;
}

function toIncident(client: MlflowClient, run: MlflowRun): PastIncident {
  const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
  const metric = run.data.metrics.find((m) => m.key === 'time_to_healthy_seconds');
  return incidentOf(
    { runId: run.info.run_id, url: client.runUrl(run.info.experiment_id, run.info.run_id) },
    run.info.start_time ?? 0,
    tags,
    parseStory(tags[STORY_TAG]),
    metric ? Number(metric.value) : null,
  );
}

/** An investigation this process just ended, as a later history read would list it. */
export function incidentOfStory(
  ref: { runId: string; url: string | null },
  story: IncidentStory,
  engine: string,
  startedAt: number,
): PastIncident {
  return incidentOf(ref, startedAt, { ...storyTags(story), 'autofix.engine': engine }, story, null);
}

function incidentOf(
  ref: { runId: string; url: string | null },
  startedAt: number,
  tags: Record<string, string>,
  story: IncidentStory | null,
  timeToHealthy: number | null,
): PastIncident {
  const tth = timeToHealthy ?? story?.rollout?.timeToHealthySeconds ?? null;
  const category = Category.safeParse(tags['autofix.category'] ?? story?.diagnosis?.category);
  return {
    runId: ref.runId,
    runUrl: ref.url,
    startedAt,
    category: category.success ? category.data : null,
    outcome: tags['autofix.outcome'] ?? story?.outcome ?? null,
    rootCause: story?.diagnosis?.rootCause ?? tags['autofix.root_cause'] ?? null,
    change: story?.change?.sentences[0] ?? null,
    approvedBy: tags['autofix.approved_by'] ?? null,
    approvals: tags['autofix.approvals'] || null,
    appliedAs: tags['autofix.applied_as'] ?? null,
    timeToHealthySeconds: tth !== null && Number.isFinite(tth) ? tth : null,
    threadUrl: tags['autofix.thread_url'] ?? story?.request.threadUrl ?? null,
    engine: tags['autofix.engine'] ?? null,
  };
}

/** The id of experiment `name` when it exists (history never creates one). */
export function existingExperiment(client: MlflowClient, name: string): () => Promise<string | null> {
  return async () => (await client.findExperiment(name))?.experiment_id ?? null;
}

/**
 * Past investigations of `target`, newest first, at most `limit` (≤ MAX_HISTORY); `exclude` leaves out
 * the investigation asking. `experiment` answers the experiment's id (null: it does not exist yet, so no
 * history). Throws MlflowError.
 */
export async function readHistory(
  client: MlflowClient,
  experiment: () => Promise<string | null>,
  target: WorkloadRef,
  opts: { limit: number; exclude?: string | null },
): Promise<PastIncident[]> {
  const experimentId = await experiment();
  if (!experimentId) return [];
  const limit = Math.max(1, Math.min(MAX_HISTORY, Math.trunc(opts.limit)));
  const cluster = target.cluster ?? DEFAULT_CLUSTER;
  // Nested iteration/apply runs carry no target tag, so only investigations match.
  const byTarget = `tags.\`autofix.target\` = ${filterValue(targetTag(target))}`;
  // Untagged runs (before clusters) are the default cluster's: MLflow's filter has no OR, so those are sorted here.
  const untaggedCount = cluster === DEFAULT_CLUSTER;
  const runs = await client.searchRuns({
    experimentIds: [experimentId],
    filter: untaggedCount ? byTarget : `${byTarget} and tags.\`autofix.cluster\` = ${filterValue(cluster)}`,
    orderBy: ['attributes.start_time DESC'],
    maxResults: untaggedCount ? MAX_HISTORY + 1 : limit + (opts.exclude ? 1 : 0),
  });
  const clusterOf = (r: MlflowRun): string =>
    r.data.tags.find((t) => t.key === 'autofix.cluster')?.value ?? DEFAULT_CLUSTER;
  return runs
    .filter((r) => r.info.run_id !== opts.exclude && clusterOf(r) === cluster)
    .slice(0, limit)
    .map((r) => toIncident(client, r));
}
