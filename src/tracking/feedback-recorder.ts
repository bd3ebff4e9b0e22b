// Records a person's "helpful / not helpful" on an investigation's trace as an MLflow feedback assessment.
import type { MlflowClient } from './mlflow-client.js';
import { traceIdForRun } from './trace-recorder.js';

/** The assessment's name; README explains how to read its rate per category and engine. */
export const FEEDBACK_NAME = 'helpful';

export interface FeedbackInput {
  /** The investigation's MLflow run: its trace id derives from it. */
  runId: string;
  /** Who gave the feedback (a Slack user id): the assessment's HUMAN source. */
  userId: string;
  helpful: boolean;
  reason: string | null;
  /** Where it was given, kept as assessment metadata. */
  channel: string | null;
}

export interface FeedbackRecorder {
  /** Creates the user's assessment, or replaces the one they gave before. Throws MlflowError. */
  record(input: FeedbackInput): Promise<{ assessmentId: string; replaced: boolean }>;
}

/** MLflow's id of the trace an investigation run exported (`tr-` + the OTLP trace id). */
export function traceIdOfRun(runId: string): string {
  return `tr-${traceIdForRun(runId)}`;
}

export function createFeedbackRecorder(client: MlflowClient): FeedbackRecorder {
  return {
    async record(input) {
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
        (a) =>
          a.assessment_name === FEEDBACK_NAME && a.source?.source_id === input.userId && a.valid !== false,
      );
      if (mine) {
        const updated = await client.updateFeedback(traceId, mine.assessment_id, feedback);
        return { assessmentId: updated.assessment_id, replaced: true };
      }
      const created = await client.createAssessment(traceId, feedback);
      return { assessmentId: created.assessment_id, replaced: false };
    },
  };
}
