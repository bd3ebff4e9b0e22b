// proposed → expired at the TTL, without a click: the proposal loses its buttons and the run says so.
import { verdictLabels } from '../tracking/outcome-labels.js';
import type { WorkflowDeps } from './workflow-ports.js';

/** Expires a still-undecided proposal whose time is up; anything already decided is left alone. */
export async function expireProposal(deps: WorkflowDeps, proposalId: string): Promise<string> {
  const record = await deps.store.get(proposalId);
  if (!record) return 'missing';
  if (record.state !== 'proposed') return `state_${record.state}`;
  const now = deps.clock.now();
  if (now < record.expiresAt) return 'not_yet';
  const moved = await deps.store.transition(proposalId, {
    from: ['proposed'],
    to: 'expired',
    fields: { decidedAt: String(now) },
    now,
  });
  if (moved.kind !== 'ok') return 'taken';
  if (record.runId) {
    const run = await deps.tracker.resumeInvestigation(record.runId);
    await run.setTags({ 'autofix.decision': 'expired', ...verdictLabels(record.iteration, 'expired') });
    await run.end('FINISHED');
  }
  await deps.notifier.outcome(moved.record, { kind: 'expired' });
  return 'expired';
}
