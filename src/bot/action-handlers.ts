// Approve / Reject / Rollback clicks: ack, the Slack allowlist, then the workflow's decision; the bot's I/O around it.
// Approvals and rollbacks go home: to the queue of the proposal's cluster, refused while no worker serves it.
import type { RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import { describeTarget } from '../domain/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Producer } from '../queue/producer.js';
import type { StoredProposal } from '../workflow/proposal-record.js';
import {
  buildDecidedProposalMessage,
  type ProposalDecision,
} from '../slack/blocks/decided-proposal-message.js';
import { proposalShowsWhole } from '../slack/blocks/proposal-message.js';
import { buildRefusalMessage } from '../slack/blocks/refusal-message.js';
import { proposalView } from '../slack/proposal-view.js';
import { AUTOFIX_DECISIONS, parseAutofixClick, type AutofixClick } from '../slack/slack-payloads.js';
import { ephemeral } from './ephemeral.js';
import type { SlackPoster } from '../slack/slack-poster.js';
import { refusalFor } from './click-refusal.js';
import { clickOriginRefusal } from '../workflow/decision-checks.js';
import { decide, type Decision, type DecisionDeps } from '../workflow/decide.js';
import type { DecisionPolicy } from '../workflow/decision-checks.js';
import { agoText } from '../slack/blocks/clusters-message.js';
import type { ClusterDirectory, Directory } from './cluster-directory.js';

/**
 * The workflow's decision ports (store, tracker, authority = the approvers) plus the bot's I/O; the allowlist
 * of each proposal's cluster comes from the registrations its workers keep.
 */
export interface ActionDeps extends Omit<DecisionDeps, 'decisions'> {
  directory: ClusterDirectory;
  /** AUTOFIX_SELF_APPROVAL. */
  selfApproval: boolean;
  producer: Pick<Producer, 'addApply' | 'addRollback'>;
  poster: SlackPoster;
  metrics: Metrics;
  logger: Logger;
}

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
function clickCheck(click: AutofixClick, dir: Directory) {
  return (record: StoredProposal): string | null => {
    const origin = clickOriginRefusal(record, click);
    if (origin) return origin;
    const gone = workerGone(dir, record, AUTOFIX_DECISIONS[click.actionId]);
    if (gone) return gone;
    // The worker refuses it too; refusing here keeps the message from saying "applying".
    if (click.actionId === 'autofix_approve' && !proposalShowsWhole(proposalView(record)))
      return 'This change is too long to be shown whole in Slack, so it cannot be approved here. Nothing was changed; review and apply it with `kube-autofix fix`.';
    return null;
  };
}

/** Runs the workflow's decision for a click, then does the bot's I/O: message, answer, job. */
async function onDecision(
  deps: ActionDeps,
  click: AutofixClick,
  respond: RespondFn,
  log: Logger,
): Promise<void> {
  const decision = AUTOFIX_DECISIONS[click.actionId];
  const dir = await deps.directory.snapshot();
  const decisions: DecisionPolicy = {
    cluster: null,
    namespacesOf: (cluster) => dir.clusters.get(cluster)?.namespaces ?? [],
    selfApproval: deps.selfApproval,
  };
  const res = await decide(
    { ...deps, decisions },
    click.proposalId,
    decision,
    click.userId,
    clickCheck(click, dir),
  );
  if (res.kind === 'refused') {
    deps.metrics.decisions.inc({ decision: 'refused' });
    log.info({ reason: res.reason }, 'click refused');
    await respond(ephemeral(buildRefusalMessage(res.reason)));
    return;
  }
  if (res.kind === 'missing' || res.kind === 'conflict') {
    deps.metrics.decisions.inc({ decision: 'refused' });
    // An approval whose apply job was lost (bot crash between the two) is re-enqueued: the job is idempotent.
    if (res.kind === 'conflict' && decision === 'approve' && res.record.state === 'approved')
      await deps.producer.addApply({
        cluster: res.record.cluster,
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
    await respond(ephemeral(refusalFor(record, click)));
    return;
  }
  if (decision === 'rollback') {
    deps.metrics.decisions.inc({ decision: 'rollback' });
    log.info({ proposalId: record.id }, 'rollback requested');
    await deps.producer.addRollback({
      cluster: record.cluster,
      proposalId: record.id,
      requestedBy: click.userId,
    });
    await respond(
      ephemeral(
        buildRefusalMessage(
          `Rolling back ${describeTarget(record.target)} to the pod template from before the change; the result follows in the thread.`,
        ),
      ),
    ).catch(() => undefined);
    return;
  }
  const word = decision === 'approve' ? 'approved' : 'rejected';
  deps.metrics.decisions.inc({ decision: word });
  log.info({ proposalId: record.id, decision: word }, 'proposal decided');
  await showDecision(deps, record, word, click.userId);
  if (decision === 'approve')
    await deps.producer.addApply({
      cluster: record.cluster,
      proposalId: record.id,
      approvedBy: click.userId,
    });
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
