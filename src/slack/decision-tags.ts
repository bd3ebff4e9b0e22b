// Tags decisions (approved/rejected/expired, by whom) on the investigation's MLflow run; never fails a click.
import type { MlflowConfig } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import { createMlflowClient } from '../tracking/mlflow-client.js';
import { StoryDecision } from '../tracking/incident-story.js';
import { decisionPatch } from '../tracking/story-patches.js';
import { writeStory } from '../tracking/story-writer.js';

export interface DecisionTagger {
  tag(runId: string | null, tags: Record<string, string>): Promise<void>;
}

export const noDecisionTags: DecisionTagger = { tag: async () => undefined };

/** Tags through MLflow's REST API (the bot needs no tracker, only the run id stored with the proposal). */
export function createDecisionTagger(mlflow: MlflowConfig | null, logger: Logger): DecisionTagger {
  if (!mlflow) return noDecisionTags;
  const client = createMlflowClient(mlflow, { attempts: 3, timeoutMs: 5000 });
  return {
    async tag(runId, tags) {
      if (!runId) return;
      try {
        await client.logBatch(runId, { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
        // The decision also joins the run's story (its description), who and when.
        const decision = StoryDecision.shape.decision.safeParse(tags['autofix.decision']);
        const by = tags['autofix.approved_by'] ?? tags['autofix.rejected_by'] ?? null;
        if (decision.success) await writeStory(client, runId, decisionPatch(decision.data, by));
      } catch (e) {
        logger.warn(
          { runId, err: e instanceof Error ? e.message : String(e) },
          'could not tag the decision on the MLflow run',
        );
      }
    },
  };
}
