// One approval of a proposal: who clicked, when, who they are in Kubernetes and what the cluster answered.
import { z } from 'zod';
import { KubeIdentity, type Proposal } from '../domain/index.js';
import type { TwoPerson } from '../config/config.js';

export const Approval = z.object({
  /** The Slack user id (or the CLI's "cli"). */
  by: z.string().min(1),
  /** Epoch ms. */
  at: z.number().int(),
  /** AUTOFIX_APPLY_AS=approver: the approver's Kubernetes identity; null when the worker applies as itself. */
  identity: KubeIdentity.nullable(),
  /** The SubjectAccessReview's answer at the click, in words; null without one. */
  review: z.string().nullable(),
});
export type Approval = z.infer<typeof Approval>;

/** How many distinct approvers the proposal needs: two for a flagged change (or every change), else one. */
export function approvalsNeeded(
  record: { proposal: Pick<Proposal, 'validation'> },
  rule: TwoPerson = 'off',
): 1 | 2 {
  if (rule === 'all') return 2;
  if (rule === 'flagged' && record.proposal.validation.flags.length > 0) return 2;
  return 1;
}

/** "<@U1> (priya@example.com)": an approver as the thread names them. */
export function approverWords(a: Pick<Approval, 'by' | 'identity'>): string {
  return a.identity ? `<@${a.by}> (${a.identity.user})` : `<@${a.by}>`;
}
