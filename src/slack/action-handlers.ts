// Approve / Reject / Rollback clicks: ack, authorize, one atomic transition, update the message, enqueue, tag.
import type { RespondArguments, RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import { describeTarget, isAutofixError } from '../domain/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Producer } from '../queue/producer.js';
import type { StoredProposal } from '../workflow/proposal-record.js';
import type { ProposalStore } from '../workflow/proposal-store.js';
import type { ApproverCheck } from './approvers.js';
import { buildDecidedProposalMessage, type ProposalDecision } from './blocks/decided-proposal-message.js';
import { proposalShowsWhole } from './blocks/proposal-message.js';
import { buildRefusalMessage } from './blocks/refusal-message.js';
import type { DecisionTagger } from './decision-tags.js';
import { proposalView } from './proposal-view.js';
import { parseAutofixClick, type AutofixClick } from './slack-payloads.js';
import type { SlackMessage, SlackPoster } from './slack-poster.js';
import { refusalFor } from './click-refusal.js';
import { checkDecision, clickOriginRefusal, type DecisionPolicy } from '../workflow/decision-checks.js';

export interface ActionDeps {
  store: ProposalStore;
  producer: Pick<Producer, 'addApply' | 'addRollback'>;
  poster: SlackPoster;
  approvers: ApproverCheck;
  /** The allowlist and AUTOFIX_SELF_APPROVAL, checked on the click (and again by the worker). */
  decisions: DecisionPolicy;
  tagger: DecisionTagger;
  metrics: Metrics;
  logger: Logger;
  now?: () => number;
}

const ephemeral = (m: SlackMessage): RespondArguments => ({
  response_type: 'ephemeral',
  replace_original: false,
  text: m.text,
  ...(m.blocks ? { blocks: m.blocks } : {}),
});

/** Replaces the proposal message: same content, no buttons, the decision and who made it. */
async function showDecision(
  deps: ActionDeps,
  record: StoredProposal,
  decision: ProposalDecision,
  by: string | null,
): Promise<void> {
  if (!record.messageTs) return;
  const message = buildDecidedProposalMessage({ proposal: proposalView(record), decision, by });
  await deps.poster
    .update(record.thread.channel, record.messageTs, message)
    .catch((e: unknown) =>
      deps.logger.warn(
        { proposalId: record.id, err: e instanceof Error ? e.message : String(e) },
        'could not update the proposal message',
      ),
    );
}

async function decide(
  deps: ActionDeps,
  click: AutofixClick,
  decision: 'approved' | 'rejected',
  respond: RespondFn,
  log: Logger,
): Promise<void> {
  const now = (deps.now ?? Date.now)();
  const res = await deps.store.transition(click.proposalId, {
    from: ['proposed'],
    to: decision,
    fields: { decidedBy: click.userId, decidedAt: String(now) },
    honourExpiry: true,
    now,
  });
  if (res.kind === 'missing' || res.kind === 'conflict') {
    deps.metrics.decisions.inc({ decision: 'refused' });
    // An approval whose apply job was lost (bot crash between the two) is re-enqueued: the job is idempotent.
    if (res.kind === 'conflict' && decision === 'approved' && res.record.state === 'approved')
      await deps.producer.addApply({
        proposalId: res.record.id,
        approvedBy: res.record.decidedBy ?? click.userId,
      });
    await respond(ephemeral(refusalFor(res.kind === 'missing' ? null : res.record, click)));
    return;
  }
  const record = res.record;
  if (res.kind === 'expired') {
    deps.metrics.decisions.inc({ decision: 'expired' });
    log.info({ proposalId: record.id }, 'decision refused: proposal expired');
    await showDecision(deps, record, 'expired', null);
    await deps.tagger.tag(record.runId, { 'autofix.decision': 'expired' });
    await respond(ephemeral(refusalFor(record, click)));
    return;
  }
  deps.metrics.decisions.inc({ decision });
  log.info({ proposalId: record.id, decision }, 'proposal decided');
  await showDecision(deps, record, decision, click.userId);
  const who = decision === 'approved' ? 'autofix.approved_by' : 'autofix.rejected_by';
  await deps.tagger.tag(record.runId, { 'autofix.decision': decision, [who]: click.userId });
  if (decision === 'approved')
    await deps.producer.addApply({ proposalId: record.id, approvedBy: click.userId });
}

async function rollback(
  deps: ActionDeps,
  click: AutofixClick,
  respond: RespondFn,
  log: Logger,
): Promise<void> {
  const res = await deps.store.transition(click.proposalId, {
    from: ['applied', 'rollback_failed'],
    to: 'rolling_back',
    fields: { rolledBackBy: click.userId },
  });
  if (res.kind !== 'ok') {
    deps.metrics.decisions.inc({ decision: 'refused' });
    await respond(ephemeral(refusalFor(res.kind === 'missing' ? null : res.record, click)));
    return;
  }
  deps.metrics.decisions.inc({ decision: 'rollback' });
  log.info({ proposalId: res.record.id }, 'rollback requested');
  await deps.tagger.tag(res.record.runId, { 'autofix.rollback_requested_by': click.userId });
  await deps.producer.addRollback({ proposalId: res.record.id, requestedBy: click.userId });
  await respond(
    ephemeral(
      buildRefusalMessage(
        `Rolling back ${describeTarget(res.record.target)} to the pod template from before the change; the result follows in the thread.`,
      ),
    ),
  ).catch(() => undefined);
}

const DECISIONS = {
  autofix_approve: 'approve',
  autofix_reject: 'reject',
  autofix_rollback: 'rollback',
} as const;

/** Where the click came from, the allowlist and separation of duties; the refusal in words, or null. */
async function preCheck(deps: ActionDeps, click: AutofixClick): Promise<string | null> {
  const record = await deps.store.get(click.proposalId);
  if (!record) return null; // the transition answers "no longer stored"
  const origin = clickOriginRefusal(record, click);
  if (origin) return origin;
  // The worker refuses it too; refusing here keeps the message from saying "applying".
  if (click.actionId === 'autofix_approve' && !proposalShowsWhole(proposalView(record)))
    return 'This change is too long to be shown whole in Slack, so it cannot be approved here. Nothing was changed; review and apply it with `kube-autofix fix`.';
  try {
    await checkDecision(record, DECISIONS[click.actionId], click.userId, deps.decisions, deps.approvers);
    return null;
  } catch (e) {
    if (isAutofixError(e)) return e.describe();
    throw e;
  }
}

/** One handler for the three buttons; the click's action_id picks the step. */
export function handleAutofixAction(deps: ActionDeps): (args: SlackActionMiddlewareArgs) => Promise<void> {
  return async ({ ack, body, respond }) => {
    await ack();
    const parsed = parseAutofixClick(body);
    if (!parsed.ok) {
      deps.logger.warn({ err: parsed.error }, 'ignored a click that is not one of our buttons');
      return;
    }
    const click = parsed.click;
    const log = deps.logger.child({
      action: click.actionId,
      user: click.userId,
      proposalId: click.proposalId,
    });
    try {
      if (!(await deps.approvers.isApprover(click.userId))) {
        deps.metrics.decisions.inc({ decision: 'refused' });
        log.info('click refused: not an approver');
        await respond(
          ephemeral(
            buildRefusalMessage(
              'Only approvers (AUTOFIX_APPROVERS) can approve, reject or roll back fixes. Nothing was changed.',
            ),
          ),
        );
        return;
      }
      const refused = await preCheck(deps, click);
      if (refused) {
        deps.metrics.decisions.inc({ decision: 'refused' });
        log.info({ reason: refused }, 'click refused');
        await respond(ephemeral(buildRefusalMessage(refused)));
        return;
      }
      if (click.actionId === 'autofix_rollback') await rollback(deps, click, respond, log);
      else
        await decide(
          deps,
          click,
          click.actionId === 'autofix_approve' ? 'approved' : 'rejected',
          respond,
          log,
        );
    } catch (e) {
      log.error(
        { err: e instanceof Error ? e.message : String(e), code: (e as { code?: unknown }).code },
        'click failed',
      );
      await respond(
        ephemeral(
          buildRefusalMessage(
            'kube-autofix could not record this click right now (its store is unreachable). Nothing was changed; try again in a minute.',
          ),
        ),
      ).catch(() => undefined);
    }
  };
}
