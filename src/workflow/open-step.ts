// The tracked run a later step reports into: the investigation's run, reopened, with a nested step run.
import type { InvestigationRun, RunHandle, Tracker } from '../tracking/tracker.js';
import type { StoredProposal } from './proposal-record.js';

export interface TrackedStep {
  run: InvestigationRun | null;
  step: RunHandle | null;
}

/** Reopens the investigation's MLflow run and opens a nested run for this step (null when tracking is off). */
export async function openStep(tracker: Tracker, record: StoredProposal): Promise<TrackedStep> {
  if (!record.runId) return { run: null, step: null };
  const run = await tracker.resumeInvestigation(record.runId);
  return { run, step: await run.startApply() };
}
