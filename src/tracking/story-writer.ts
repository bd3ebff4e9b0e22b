// Extends the story kept on an MLflow run: read its record, merge what steps learned, and the tags that say it.
import { mergeStory, parseStory, type IncidentStory, type StoryPatch } from './incident-story.js';
import type { MlflowClient } from './mlflow-client.js';
import type { MlflowRun } from './mlflow-schemas.js';
import { STORY_TAG, storyRunTags } from './render-story.js';

/**
 * Read-modify-write on the run, read half: each process (worker, bot) that learns something adds to the
 * record stored on the run, so nothing another one wrote is lost. `base` starts the story when the run has
 * none yet; without either, null. Returns the merged story and the tags to write. Throws MlflowError.
 */
export async function extendStory(
  client: MlflowClient,
  runId: string,
  patches: readonly StoryPatch[],
  base: IncidentStory | null = null,
  /** The run as just read, to spare reading it again. */
  known?: MlflowRun,
): Promise<{ story: IncidentStory; tags: Record<string, string> } | null> {
  const run = known ?? (await client.getRun(runId));
  const start = parseStory(run.data.tags.find((t) => t.key === STORY_TAG)?.value) ?? base;
  if (!start) return null;
  const story = patches.reduce(mergeStory, start);
  return { story, tags: storyRunTags(story) };
}
