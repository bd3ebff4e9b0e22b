// NoopTracker: the Tracker used when MLFLOW_TRACKING_URI is unset; every call does nothing, runId/runUrl are null.
import { AutofixError, ErrorCode } from '../domain/index.js';
import type {
  AbandonedRunResult,
  FeedbackInput,
  InvestigationInfo,
  InvestigationRun,
  PastIncident,
  RunHandle,
  SpanHandle,
  Tracker,
} from './tracker.js';

const NOOP_SPAN: SpanHandle = {
  setAttributes: () => undefined,
  setUsage: () => undefined,
  startChild: () => NOOP_SPAN,
  end: () => undefined,
};

/** A run that records nothing (tracking off, or an offline replay). */
export const NOOP_RUN: RunHandle = {
  runId: null,
  runUrl: null,
  logParams: async () => undefined,
  logMetrics: async () => undefined,
  setTags: async () => undefined,
  logArtifact: async () => undefined,
  startSpan: () => NOOP_SPAN,
  end: async () => undefined,
};

const NOOP_INVESTIGATION: InvestigationRun = {
  ...NOOP_RUN,
  warnings: [],
  settled: async () => undefined,
  startIteration: async () => NOOP_RUN,
  startApply: async () => NOOP_RUN,
  tellStory: async () => undefined,
  past: [],
};

export class NoopTracker implements Tracker {
  readonly enabled = false;

  async startInvestigation(_info: InvestigationInfo): Promise<InvestigationRun> {
    return NOOP_INVESTIGATION;
  }

  async resumeInvestigation(_runId: string): Promise<InvestigationRun> {
    return NOOP_INVESTIGATION;
  }

  async completeAbandonedRun(): Promise<AbandonedRunResult> {
    return 'untracked';
  }

  async openRunsOfJob(_jobId: string): Promise<string[]> {
    return [];
  }

  async recordDecision(_runId: string | null, _tags: Record<string, string>): Promise<void> {}

  async recordAlertResolved(_runId: string | null, _resolvedAt: string): Promise<void> {}

  async recordLabels(_runId: string | null, _labels: Record<string, string>): Promise<void> {}

  async recordFeedback(_input: FeedbackInput): Promise<{ replaced: boolean }> {
    throw new AutofixError(ErrorCode.ConfigInvalid, 'Feedback needs MLflow tracking, which is off.', {
      hint: 'Set MLFLOW_TRACKING_URI to record feedback.',
    });
  }

  async history(): Promise<PastIncident[]> {
    return [];
  }
}
