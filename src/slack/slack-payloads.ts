// zod schemas of what Slack sends the bot: the slash-command form body and the block_actions payload.
import { z } from 'zod';

/** The `action_id`s of our buttons: a public contract (ARCHITECTURE.md). */
export const AUTOFIX_ACTIONS = {
  approve: 'autofix_approve',
  reject: 'autofix_reject',
  rollback: 'autofix_rollback',
} as const;

/** The triage message's button: its value is the target as JSON; starts an investigation like `/autofix <target>`. */
export const INVESTIGATE_ACTION = 'autofix_investigate';
export const AutofixActionId = z.enum([
  AUTOFIX_ACTIONS.approve,
  AUTOFIX_ACTIONS.reject,
  AUTOFIX_ACTIONS.rollback,
]);
export type AutofixActionId = z.infer<typeof AutofixActionId>;

/** The workflow decision each button asks for. */
export const AUTOFIX_DECISIONS = {
  autofix_approve: 'approve',
  autofix_reject: 'reject',
  autofix_rollback: 'rollback',
} as const satisfies Record<AutofixActionId, 'approve' | 'reject' | 'rollback'>;

const SlackId = z.string().min(1).max(64);

/** A slash command as Slack posts it (form fields; Bolt hands them over as `command`). */
export const SlashCommandBody = z.object({
  /** The deprecated verification token; requests are authenticated by their signature instead. */
  token: z.string().optional(),
  command: z.string().startsWith('/'),
  text: z.string().default(''),
  response_url: z.url({ protocol: /^https?$/ }),
  trigger_id: z.string().min(1),
  user_id: SlackId,
  user_name: z.string().optional(),
  team_id: SlackId,
  team_domain: z.string().optional(),
  channel_id: SlackId,
  channel_name: z.string().optional(),
  api_app_id: z.string().optional(),
  enterprise_id: z.string().optional(),
  enterprise_name: z.string().optional(),
  is_enterprise_install: z.string().optional(),
});
export type SlashCommandBody = z.infer<typeof SlashCommandBody>;

/** One element action in a block_actions payload (buttons carry `value`). */
export const BlockActionElement = z.object({
  type: z.string(),
  action_id: z.string().min(1).max(255),
  block_id: z.string().max(255),
  value: z.string().max(2000).optional(),
  action_ts: z.string(),
});
export type BlockActionElement = z.infer<typeof BlockActionElement>;

/** A button click as Slack posts it (`payload=<json>`, parsed; Bolt hands it over as `body`). */
export const BlockActionsPayload = z.object({
  type: z.literal('block_actions'),
  user: z.object({
    id: SlackId,
    username: z.string().optional(),
    name: z.string().optional(),
    team_id: z.string().optional(),
  }),
  team: z.object({ id: SlackId, domain: z.string().optional() }).nullable().optional(),
  api_app_id: z.string().optional(),
  token: z.string().optional(),
  trigger_id: z.string().min(1),
  response_url: z.url({ protocol: /^https?$/ }),
  container: z.object({
    type: z.string(),
    message_ts: z.string().optional(),
    channel_id: z.string().optional(),
    is_ephemeral: z.boolean().optional(),
  }),
  channel: z.object({ id: SlackId, name: z.string().optional() }).optional(),
  message: z
    .object({
      ts: z.string().min(1),
      thread_ts: z.string().optional(),
      text: z.string().optional(),
      blocks: z.array(z.record(z.string(), z.unknown())).optional(),
    })
    .optional(),
  actions: z.array(BlockActionElement).min(1),
});
export type BlockActionsPayload = z.infer<typeof BlockActionsPayload>;

/** Our buttons' clicks: a known action id and the proposal id as the value. */
export const AutofixButtonAction = BlockActionElement.extend({
  action_id: AutofixActionId,
  value: z.string().min(1).max(2000),
});
export type AutofixButtonAction = z.infer<typeof AutofixButtonAction>;

/** Where a click happened and by whom, or the zod error when the payload is not one of our buttons. */
export interface AutofixClick {
  actionId: AutofixActionId;
  proposalId: string;
  userId: string;
  /** The workspace the click came from (team.id, else user.team_id). */
  teamId: string | null;
  channelId: string | null;
  messageTs: string | null;
  threadTs: string | null;
  responseUrl: string;
}

/** Validates a block_actions body (as Bolt passes it) and extracts the click on one of our buttons. */
export function parseAutofixClick(
  body: unknown,
): { ok: true; click: AutofixClick } | { ok: false; error: string } {
  const payload = BlockActionsPayload.safeParse(body);
  if (!payload.success) return { ok: false, error: z.prettifyError(payload.error) };
  const action = AutofixButtonAction.safeParse(payload.data.actions[0]);
  if (!action.success) return { ok: false, error: z.prettifyError(action.error) };
  const p = payload.data;
  return {
    ok: true,
    click: {
      actionId: action.data.action_id,
      proposalId: action.data.value,
      userId: p.user.id,
      teamId: p.team?.id ?? p.user.team_id ?? null,
      channelId: p.channel?.id ?? p.container.channel_id ?? null,
      messageTs: p.message?.ts ?? p.container.message_ts ?? null,
      threadTs: p.message?.thread_ts ?? null,
      responseUrl: p.response_url,
    },
  };
}
