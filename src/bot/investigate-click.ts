// The triage message's Investigate button: the same start as `/autofix <kind>/<name> -n <ns>` (allowlist, one per target).
import type { RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { Target } from '../domain/index.js';
import { buildRefusalMessage } from '../slack/blocks/refusal-message.js';
import { startInvestigation, type CommandDeps } from './command-handler.js';
import { BlockActionsPayload, BlockActionElement, INVESTIGATE_ACTION } from '../slack/slack-payloads.js';

export const InvestigateButtonAction = BlockActionElement.extend({
  action_id: z.literal(INVESTIGATE_ACTION),
  value: z.string().min(1).max(2000),
});

export interface InvestigateClick {
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
  const target = Target.safeParse(value);
  if (!target.success) return { ok: false, error: z.prettifyError(target.error) };
  const p = payload.data;
  const channelId = p.channel?.id ?? p.container.channel_id;
  const teamId = p.team?.id ?? p.user.team_id;
  if (!channelId || !teamId) return { ok: false, error: 'the click carries no channel or team' };
  return { ok: true, click: { target: target.data, userId: p.user.id, channelId, teamId } };
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
    const { target, userId, channelId, teamId } = parsed.click;
    // The allowlist is read now, not when the triage was posted: a namespace removed since is refused.
    if (!deps.config.namespaces.includes(target.namespace)) {
      deps.metrics.commands.inc({ result: 'invalid' });
      await refuse(
        respond,
        `Namespace ${target.namespace} is no longer in kube-autofix's allowlist (AUTOFIX_NAMESPACES). Nothing was started.`,
      ).catch(() => undefined);
      return;
    }
    await startInvestigation(deps, target, userId, channelId, respond, teamId);
  };
}
