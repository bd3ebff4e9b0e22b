// Enqueues the job a decision hands on (stepAfter), on the proposal's cluster: the bot's click and the worker's
// decide job share it, so an approval is applied and a rollback rolled back the same way from either.
import { stepAfter, type Decision, type DecisionResult } from '../workflow/decide.js';
import type { Producer } from './producer.js';

export async function handOn(
  producer: Pick<Producer, 'addApply' | 'addRollback'>,
  res: DecisionResult,
  decision: Decision,
  userId: string,
): Promise<void> {
  const step = stepAfter(res, decision);
  if (step === null || res.kind === 'missing') return;
  const { cluster, id: proposalId } = res.record;
  if (step === 'apply')
    await producer.addApply({ cluster, proposalId, approvedBy: res.record.decidedBy ?? userId });
  else await producer.addRollback({ cluster, proposalId, requestedBy: userId });
}
