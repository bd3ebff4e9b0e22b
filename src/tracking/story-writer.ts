// Extends the story kept on an MLflow run: read its record, merge what a step learned, write description and tags.
import { mergeStory, parseStory, type IncidentStory, type StoryPatch } from './incident-story.js';
import type { MlflowClient } from './mlflow-client.js';
import { STORY_TAG, storyRunTags } from './render-story.js';

/**
 * Read-modify-write on the run: each process (worker, bot) that learns something adds it. `base` starts
 * the story when the run has none yet; without either, nothing is written. Throws MlflowError.
 */
export async function writeStory(
  client: MlflowClient,
  runId: string,
  patch: StoryPatch,
  base: IncidentStory | null = null,
): Promise<IncidentStory | null> {
  const run = await client.getRun(runId);
  const stored = parseStory(run.data.tags.find((t) => t.key === STORY_TAG)?.value);
  const current = stored ?? base;
  if (!current) return null;
  const next = mergeStory(current, patch);
  const tags = Object.entries(storyRunTags(next)).map(([key, value]) => ({ key, value }));
  await client.logBatch(runId, { tags });
  return next;
}
