// What Slack shows after a decision, for the bot (worker mode) and the worker (approver mode) alike.
import { describeTarget } from '../domain/index.js';
import type { TwoPerson } from '../config/config.js';
import type { Decision, DecisionResult } from '../workflow/decide.js';
import { buildDecidedProposalMessage } from './blocks/decided-proposal-message.js';
import { buildProposalMessage } from './blocks/proposal-message.js';
import { buildRefusalMessage } from './blocks/refusal-message.js';
import { refusalFor } from './click-refusal.js';
import { proposalView } from './proposal-view.js';
import type { SlackMessage } from './slack-poster.js';

export interface DecisionAnswer {
  /** Shown only to the person who clicked; null: nothing to say to them. */
  reply: SlackMessage | null;
  /** Replaces the proposal message in the thread; null: it stays as it is. */
  update: SlackMessage | null;
  /** The metrics word for the decision counter. */
  metric: 'approved' | 'rejected' | 'rollback' | 'pending' | 'expired' | 'refused' | 'handed_on';
}

/** The answer to a `decision` that ended in `res`. */
export function decisionAnswer(
  res: DecisionResult,
  decision: Decision,
  twoPerson: TwoPerson = 'off',
): DecisionAnswer {
  switch (res.kind) {
    case 'needs_review':
      return { reply: null, update: null, metric: 'handed_on' };
    case 'refused':
      return { reply: buildRefusalMessage(res.reason), update: null, metric: 'refused' };
    case 'missing':
      return { reply: refusalFor(null, decision), update: null, metric: 'refused' };
    case 'conflict':
      return { reply: refusalFor(res.record, decision), update: null, metric: 'refused' };
    case 'expired':
      return {
        reply: refusalFor(res.record, decision),
        update: buildDecidedProposalMessage({
          proposal: proposalView(res.record, twoPerson),
          decision: 'expired',
          by: null,
        }),
        metric: 'expired',
      };
    case 'pending': {
      const n = res.record.approvals.length;
      return {
        reply: buildRefusalMessage(
          `Your approval is recorded (${n} of ${res.needed}). The change is applied once ${res.needed - n} more distinct approver${res.needed - n === 1 ? '' : 's'} approve${res.needed - n === 1 ? 's' : ''}; nothing was changed yet.`,
        ),
        update: buildProposalMessage(proposalView(res.record, twoPerson)),
        metric: 'pending',
      };
    }
    case 'decided': {
      if (res.decision === 'rollback')
        return {
          reply: buildRefusalMessage(
            `Rolling back ${describeTarget(res.record.target)} to the pod template from before the change; the result follows in the thread.`,
          ),
          update: null,
          metric: 'rollback',
        };
      const word = res.decision === 'approve' ? 'approved' : 'rejected';
      return {
        reply: null,
        update: buildDecidedProposalMessage({
          proposal: proposalView(res.record, twoPerson),
          decision: word,
          by: res.record.decidedBy,
          as: res.by.identity,
          approvals: res.record.approvals,
        }),
        metric: word,
      };
    }
  }
}
