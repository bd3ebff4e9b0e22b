// Ends an investigation's tracked run: the final `success` metric, the outcome tag and the run status.
import type { InvestigationResult } from '../domain/index.js';
import { redactText } from '../safety/redact.js';
import type { InvestigationRun, RunStatus } from '../tracking/tracker.js';

type Outcome = InvestigationResult['outcome'];

/** The outcomes the CLI exits 0 for: the investigation reached its goal. */
const SUCCESS: ReadonlySet<Outcome> = new Set(['healthy', 'proposed', 'fixed']);

/**
 * FINISHED for an investigation that completed, whatever it concluded (a proposal, "no safe fix");
 * FAILED when it could not complete (error, refused mid-way) or an applied fix did not heal.
 * KILLED is for an interrupted process and is set by the edge that catches the signal.
 */
export function runStatusFor(outcome: Outcome): RunStatus {
  return outcome === 'error' || outcome === 'refused' || outcome === 'not_fixed' ? 'FAILED' : 'FINISHED';
}

/** Records how the investigation ended and closes its run (and its nested runs); never throws. */
export async function finishRun(
  run: InvestigationRun,
  result: Pick<InvestigationResult, 'outcome' | 'error'>,
): Promise<void> {
  await run.logMetrics({ success: SUCCESS.has(result.outcome) ? 1 : 0 });
  const tags: Record<string, string> = { 'autofix.outcome': result.outcome };
  if (result.error) tags['autofix.error'] = redactText(result.error).slice(0, 500);
  await run.setTags(tags);
  await run.tellStory({ outcome: result.outcome });
  await run.end(runStatusFor(result.outcome));
}
