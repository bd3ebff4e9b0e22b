// Approve / Reject / Rollback clicks: ack, the Slack allowlist, then the workflow's decision; the bot's I/O around it.
// Approvals and rollbacks go home: to the queue of the proposal's cluster, refused while no worker serves it.
import type { RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { handOn } from '../queue/hand-on.js';
import type { Producer } from '../queue/producer.js';
import type { StoredProposal } from '../workflow/proposal-record.js';
import { proposalShowsWhole } from '../slack/blocks/proposal-message.js';
import { buildRefusalMessage } from '../slack/blocks/refusal-message.js';
import { decisionAnswer } from '../slack/decision-answer.js';
import { proposalView } from '../slack/proposal-view.js';
import { AUTOFIX_DECISIONS, parseAutofixClick, type AutofixClick } from '../slack/slack-payloads.js';
import { ephemeral } from './ephemeral.js';
import type { SlackMessage, SlackPoster } from '../slack/slack-poster.js';
import { clickOriginRefusal } from '../workflow/decision-checks.js';
import { decide, type Decision, type DecisionDeps } from '../workflow/decide.js';
import type { DecisionPolicy } from '../workflow/decision-checks.js';
import type { ApplyAs, TwoPerson } from '../config/config.js';
import { agoText } from '../slack/blocks/clusters-message.js';
import type { ClusterDirectory, Directory } from './cluster-directory.js';

/**
 * The workflow's decision ports (store, tracker, authority) plus the bot's I/O; the allowlist of each
 * proposal's cluster comes from the registrations its workers keep.
 */
export interface ActionDeps extends Omit<DecisionDeps, 'decisions'> {
  directory: ClusterDirectory;
  /** AUTOFIX_SELF_APPROVAL. */
  selfApproval: boolean;
  /** AUTOFIX_APPLY_AS: approver hands each checked click to the worker of the proposal's cluster. */
  applyAs: ApplyAs;
  /** AUTOFIX_TWO_PERSON. */
  twoPerson: TwoPerson;
  producer: Pick<Producer, 'addApply' | 'addRollback' | 'addDecision'>;
  poster: SlackPoster;
  metrics: Metrics;
  logger: Logger;
}

/** Replaces the proposal message (the decision and who made it, or the approvals so far). */
async function updateProposal(
  deps: ActionDeps,
  record: StoredProposal,
  message: SlackMessage,
): Promise<void> {
  if (!record.messageTs) return;
  await deps.poster
    .update(record.thread.channel, record.messageTs, message)
    .catch((e: unknown) =>
      deps.logger.warn(
        { proposalId: record.id, err: e instanceof Error ? e.message : String(e) },
        'could not update the proposal message',
      ),
    );
}

/** Approving or rolling back needs a live worker of the proposal's cluster: nowhere else may it run. */
function workerGone(dir: Directory, record: StoredProposal, decision: Decision): string | null {
  const acts =
    (decision === 'approve' && record.state === 'proposed') ||
    (decision === 'rollback' && (record.state === 'applied' || record.state === 'rollback_failed'));
  if (!acts) return null;
  const view = dir.clusters.get(record.cluster);
  if (view && view.live.length > 0) return null;
  const seen = view
    ? `its worker was last seen ${agoText(view.lastSeenMs)}`
    : 'no worker has registered for it';
  const word = decision === 'approve' ? 'approval' : 'rollback';
  return `No worker serves cluster ${record.cluster} right now (${seen}), and this ${word} can only run there. Nothing was changed and the proposal is kept: click again once its worker is back.`;
}

/** The bot's own checks, asked by the workflow's decision before anything moves. */
function clickCheck(click: AutofixClick, dir: Directory, twoPerson: TwoPerson) {
  return (record: StoredProposal): string | null => {
    const origin = clickOriginRefusal(record, click);
    if (origin) return origin;
    const gone = workerGone(dir, record, AUTOFIX_DECISIONS[click.actionId]);
    if (gone) return gone;
    // The worker refuses it too; refusing here keeps the message from saying "applying".
    if (click.actionId === 'autofix_approve' && !proposalShowsWhole(proposalView(record, twoPerson)))
      return 'This change is too long to be shown whole in Slack, so it cannot be approved here. Nothing was changed; review and apply it with `kube-autofix fix`.';
    return null;
  };
}

/**
 * Runs the workflow's decision for a click, then does the bot's I/O: the private answer, the message, the
 * next job. In approver mode the decision needs the cluster's answer: it is handed to the worker.
 */
async function onDecision(
  deps: ActionDeps,
  click: AutofixClick,
  respond: RespondFn,
  log: Logger,
): Promise<void> {
  const decision = AUTOFIX_DECISIONS[click.actionId];
  // Read now, not from the ack path's cache: an approval must not go to a worker that stopped a moment ago.
  const dir = await deps.directory.snapshot({ fresh: true });
  const decisions: DecisionPolicy = {
    cluster: null,
    namespacesOf: (cluster) => dir.clusters.get(cluster)?.namespaces ?? [],
    selfApproval: deps.selfApproval,
    applyAs: deps.applyAs,
    twoPerson: deps.twoPerson,
  };
  const res = await decide(
    { ...deps, decisions },
    click.proposalId,
    decision,
    click.userId,
    clickCheck(click, dir, deps.twoPerson),
  );
  if (res.kind === 'needs_review') {
    await deps.producer.addDecision({
      cluster: res.record.cluster,
      proposalId: res.record.id,
      decision,
      userId: click.userId,
      channelId: click.channelId,
      teamId: click.teamId,
    });
    log.info(
      { proposalId: res.record.id, decision },
      "decision handed to the worker for the cluster's review",
    );
  }
  const answer = decisionAnswer(res, decision, deps.twoPerson);
  deps.metrics.decisions.inc({ decision: answer.metric });
  log.info({ outcome: res.kind, reason: res.kind === 'refused' ? res.reason : undefined }, 'click decided');
  if (answer.update && res.kind !== 'missing') await updateProposal(deps, res.record, answer.update);
  await handOn(deps.producer, res, decision, click.userId);
  if (answer.reply) await respond(ephemeral(answer.reply)).catch(() => undefined);
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
      if (!(await deps.authority.isApprover(click.userId))) {
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
      await onDecision(deps, click, respond, log);
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
