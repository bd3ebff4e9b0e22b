// After the loop: note when the workload failed the same way before, and tell the run's story what was found.
import type { Diagnosis, Proposal, Validation } from '../domain/index.js';
import { seenBeforeLine } from '../tracking/past-incidents.js';
import { investigationPatch } from '../tracking/story-patches.js';
import type { InvestigationRun } from '../tracking/tracker.js';

interface Concluded {
  outcome: 'healthy' | 'proposed' | 'no_safe_fix';
  diagnosis: Diagnosis | null;
  proposal: Proposal | null;
  validation: Validation | null;
  iterations: number;
}

/** The prefix of the diagnosis note that carries the history line. */
export const SEEN_BEFORE_NOTE = 'Seen before:';

/**
 * The "seen before" line goes into the diagnosis notes, which every front end shows beside the
 * proposal: context for the approver, never an input to validation.
 */
export async function tellInvestigation<T extends Concluded>(last: T, run: InvestigationRun): Promise<T> {
  const d = last.diagnosis;
  const seen =
    d && d.category !== 'healthy' && d.category !== 'unknown'
      ? seenBeforeLine(run.past, d.category, Date.now())
      : null;
  const diagnosis = d && seen ? { ...d, notes: [...d.notes, `${SEEN_BEFORE_NOTE} ${seen}`] } : d;
  await run.tellStory(
    investigationPatch({
      outcome: last.outcome,
      iterations: last.iterations,
      diagnosis,
      proposal: last.proposal,
      validation: last.validation,
      history: seen,
    }),
  );
  return { ...last, diagnosis };
}
