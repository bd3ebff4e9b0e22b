// The triage message's Investigate button: the same start as `/autofix <kind>/<name> -n <ns> -c <cluster>` (the
// triaged cluster, its live worker and allowlist now, one per target).
import type { RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { ClusterField, Target } from '../domain/index.js';
import { buildRefusalMessage } from '../slack/blocks/refusal-message.js';
import { chooseCluster } from './choose-cluster.js';
import { startInvestigation, type CommandDeps } from './command-handler.js';
import { BlockActionsPayload, BlockActionElement, INVESTIGATE_ACTION } from '../slack/slack-payloads.js';

export const InvestigateButtonAction = BlockActionElement.extend({
  action_id: z.literal(INVESTIGATE_ACTION),
  value: z.string().min(1).max(2000),
});

/** The button's value: the target and its cluster (buttons posted before clusters: the default one). */
const InvestigateValue = Target.extend({ cluster: ClusterField });

export interface InvestigateClick {
  cluster: string;
  target: Target;
  userId: string;
  channelId: string;
  teamId: string;
}

/** The click, or why it is not one of ours (the button value must be a Target as JSON). */
export function parseInvestigateClick(
  body: unknown,
): { ok: true; click: InvestigateClick } | { ok: false; error: string } {
  const payload = BlockActionsPayload.safeParse(body);
  if (!payload.success) return { ok: false, error: z.prettifyError(payload.error) };
  const action = InvestigateButtonAction.safeParse(payload.data.actions[0]);
  if (!action.success) return { ok: false, error: z.prettifyError(action.error) };
  let value: unknown;
  try {
    value = JSON.parse(action.data.value);
  } catch {
    return { ok: false, error: 'the button value is not JSON' };
  }
  const parsedValue = InvestigateValue.safeParse(value);
  if (!parsedValue.success) return { ok: false, error: z.prettifyError(parsedValue.error) };
  const { cluster, ...target } = parsedValue.data;
  const p = payload.data;
  const channelId = p.channel?.id ?? p.container.channel_id;
  const teamId = p.team?.id ?? p.user.team_id;
  if (!channelId || !teamId) return { ok: false, error: 'the click carries no channel or team' };
  return { ok: true, click: { cluster, target, userId: p.user.id, channelId, teamId } };
}

async function refuse(respond: RespondFn, text: string): Promise<void> {
  const m = buildRefusalMessage(text);
  await respond({ response_type: 'ephemeral', replace_original: false, text: m.text, blocks: m.blocks });
}

export function handleInvestigateClick(
  deps: CommandDeps,
): (args: SlackActionMiddlewareArgs) => Promise<void> {
  return async ({ ack, body, respond }) => {
    await ack();
    const parsed = parseInvestigateClick(body);
    if (!parsed.ok) {
      deps.logger.warn({ err: parsed.error }, 'ignored an Investigate click that is not one of ours');
      return;
    }
    const { cluster, target, userId, channelId, teamId } = parsed.click;
    let choice;
    try {
      // A click that starts work reads the workers now, as approvals do: one that just stopped gets nothing.
      const dir = await deps.directory.snapshot({ fresh: true });
      choice = chooseCluster({ directory: dir, channelCluster: undefined }, cluster, true);
    } catch {
      await refuse(
        respond,
        'kube-autofix cannot reach its queue right now. Nothing was started; try again in a minute.',
      ).catch(() => undefined);
      return;
    }
    if (!choice.ok) {
      deps.metrics.commands.inc({ result: 'refused' });
      await refuse(respond, choice.message).catch(() => undefined);
      return;
    }
    // The allowlist is read now, not when the triage was posted: a namespace removed since is refused.
    if (!choice.namespaces.includes(target.namespace)) {
      deps.metrics.commands.inc({ result: 'invalid' });
      await refuse(
        respond,
        `Namespace ${target.namespace} is no longer in kube-autofix's allowlist on cluster ${cluster} (AUTOFIX_NAMESPACES of its worker). Nothing was started.`,
      ).catch(() => undefined);
      return;
    }
    await startInvestigation(deps, cluster, target, { user: userId, channel: channelId, teamId, respond });
  };
}
