// Records a person's "helpful / not helpful" on an investigation's trace as an MLflow feedback assessment.
import type { MlflowClient } from './mlflow-client.js';
import type { FeedbackInput } from './tracker.js';
import { traceIdForRun } from './trace-recorder.js';

/** The assessment's name; README explains how to read its rate per category and engine. */
export const FEEDBACK_NAME = 'helpful';

export interface FeedbackRecorder {
  /** Creates the user's assessment, or replaces the one they gave before. Throws MlflowError. */
  record(input: FeedbackInput): Promise<{ assessmentId: string; replaced: boolean }>;
}

/** MLflow's id of the trace an investigation run exported (`tr-` + the OTLP trace id). */
export function traceIdOfRun(runId: string): string {
  return `tr-${traceIdForRun(runId)}`;
}

export function createFeedbackRecorder(client: MlflowClient): FeedbackRecorder {
  // One write at a time per trace and user: a click and its modal's reason must not both create.
  const chains = new Map<string, Promise<unknown>>();
  const serial = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const next = (chains.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
    chains.set(key, next);
    void next.finally(() => chains.get(key) === next && chains.delete(key)).catch(() => undefined);
    return next;
  };
  return {
    record: (input) => serial(`${input.runId}/${input.userId}`, () => recordOnce(client, input)),
  };
}

/** Updates the user's earlier assessment on the trace, or creates the first one. */
async function recordOnce(
  client: MlflowClient,
  input: FeedbackInput,
): Promise<{ assessmentId: string; replaced: boolean }> {
  const traceId = traceIdOfRun(input.runId);
  const feedback = {
    name: FEEDBACK_NAME,
    sourceId: input.userId,
    value: input.helpful,
    rationale: input.reason?.trim() ? input.reason.trim().slice(0, 2000) : null,
    metadata: {
      'autofix.run_id': input.runId,
      ...(input.channel ? { 'autofix.channel': input.channel } : {}),
    },
  };
  const info = await client.getTraceInfo(traceId);
  const mine = info.assessments.find(
    (a) => a.assessment_name === FEEDBACK_NAME && a.source?.source_id === input.userId && a.valid !== false,
  );
  if (mine) {
    const updated = await client.updateFeedback(traceId, mine.assessment_id, feedback);
    return { assessmentId: updated.assessment_id, replaced: true };
  }
  const created = await client.createAssessment(traceId, feedback);
  return { assessmentId: created.assessment_id, replaced: false };
}
