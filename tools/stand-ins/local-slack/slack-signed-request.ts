// Requests into the bot exactly as Slack sends them: form-encoded slash commands and block_actions, signed v0.
import { createHmac, randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';

export interface SignOptions {
  /** Unix seconds to sign with; default now. */
  timestamp?: number;
  /** Sign with a wrong secret (the bot must answer 401). */
  forgeSignature?: boolean;
  /** Date the timestamp this many seconds back (Bolt refuses more than 5 minutes). */
  staleBySeconds?: number;
  /** Abort after this long; default 10 s. */
  timeoutMs?: number;
}

export interface BotReply {
  status: number;
  body: string;
  /** The body as JSON when it parses, else null. */
  json: unknown;
  headers: Record<string, string>;
  /** Time from sending to the whole response, in ms (Slack gives up after ~3,000). */
  ms: number;
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`. */
export function slackSignature(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** The headers Slack sends with a signed form body. */
export function signedHeaders(
  signingSecret: string,
  rawBody: string,
  opts: SignOptions = {},
): Record<string, string> {
  const timestamp = (opts.timestamp ?? Math.floor(Date.now() / 1000)) - (opts.staleBySeconds ?? 0);
  const secret = opts.forgeSignature ? `${signingSecret}-forged` : signingSecret;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, rawBody),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
}

// undici's request on a keep-alive Agent, not the global fetch: a burst of 500 commands a second spent most of the
// sender's CPU in fetch's streams and abort signals, and a busy sender inflates the latencies it measures.
const agent = new Agent({ keepAliveTimeout: 10_000 });

/** POSTs a signed form body to the bot and times the answer. */
export async function sendSigned(
  botUrl: string,
  signingSecret: string,
  rawBody: string,
  opts: SignOptions = {},
): Promise<BotReply> {
  const started = performance.now();
  const timeout = opts.timeoutMs ?? 10_000;
  let res;
  let body;
  try {
    res = await request(botUrl, {
      method: 'POST',
      headers: signedHeaders(signingSecret, rawBody, opts),
      body: rawBody,
      dispatcher: agent,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    body = await res.body.text();
  } catch (e) {
    // As fetch's timeout reads (callers turn it into Slack's operation_timeout).
    const code = (e as { code?: unknown }).code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
      throw new DOMException(`no answer within ${timeout} ms`, 'TimeoutError');
    throw e;
  }
  const ms = performance.now() - started;
  let json: unknown = null;
  try {
    json = body.length > 0 ? JSON.parse(body) : null;
  } catch {
    json = null;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { status: res.statusCode, body, json, headers, ms };
}

export interface SlashCommandFields {
  text: string;
  command?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
  team_domain?: string;
  response_url?: string;
  trigger_id?: string;
  api_app_id?: string;
  token?: string;
}

const triggerId = (): string => `${Date.now()}.${randomBytes(6).toString('hex')}`;

/** All the fields Slack sends with a slash command, defaults filled in. */
export function slashCommandFields(fields: SlashCommandFields): Record<string, string> {
  return {
    token: 'standin-verification-token',
    team_id: 'T0STANDIN',
    team_domain: 'standin',
    channel_id: 'C0STANDIN',
    channel_name: 'ops',
    user_id: 'U0STANDIN',
    user_name: 'standin-user',
    command: '/autofix',
    api_app_id: 'A0STANDIN',
    is_enterprise_install: 'false',
    response_url: 'http://127.0.0.1:9/response/unset',
    trigger_id: triggerId(),
    ...fields,
  };
}

/** A slash command as Slack posts it: form-encoded fields, signed. */
export function sendSlashCommand(
  botUrl: string,
  signingSecret: string,
  fields: SlashCommandFields,
  opts: SignOptions = {},
): Promise<BotReply> {
  const raw = new URLSearchParams(slashCommandFields(fields)).toString();
  return sendSigned(botUrl, signingSecret, raw, opts);
}

/** An interaction as Slack posts it: `payload=<json>`, form-encoded, signed. */
export function sendBlockAction(
  botUrl: string,
  signingSecret: string,
  payload: object,
  opts: SignOptions = {},
): Promise<BotReply> {
  const raw = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return sendSigned(botUrl, signingSecret, raw, opts);
}

export interface ClickSpec {
  actionId: string;
  value: string;
  userId: string;
  channelId: string;
  /** The message the button sits on. */
  messageTs: string;
  /** The thread it is in, when it is a reply. */
  threadTs?: string;
  responseUrl: string;
  blockId?: string;
  userName?: string;
  teamId?: string;
  /** The clicked message as the user saw it (Slack sends it whole); default empty. */
  message?: { text: string; blocks: unknown[] };
  /** The button's label; default the action_id. */
  buttonText?: string;
}

/** A realistic block_actions payload for one button click. */
export function blockActionPayload(c: ClickSpec): Record<string, unknown> {
  const teamId = c.teamId ?? 'T0STANDIN';
  const actionTs = (Date.now() / 1000).toFixed(6);
  return {
    type: 'block_actions',
    user: {
      id: c.userId,
      username: c.userName ?? c.userId.toLowerCase(),
      name: c.userName ?? c.userId.toLowerCase(),
      team_id: teamId,
    },
    api_app_id: 'A0STANDIN',
    token: 'standin-verification-token',
    container: { type: 'message', message_ts: c.messageTs, channel_id: c.channelId, is_ephemeral: false },
    trigger_id: triggerId(),
    team: { id: teamId, domain: 'standin' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: c.channelId, name: 'ops' },
    message: {
      type: 'message',
      ts: c.messageTs,
      ...(c.threadTs ? { thread_ts: c.threadTs } : {}),
      text: c.message?.text ?? '',
      blocks: c.message?.blocks ?? [],
    },
    state: { values: {} },
    response_url: c.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: c.actionId,
        block_id: c.blockId ?? 'autofix_proposal_actions',
        text: { type: 'plain_text', text: c.buttonText ?? c.actionId, emoji: true },
        value: c.value,
        action_ts: actionTs,
      },
    ],
  };
}

/** A view_submission payload for a modal the bot opened: its input values by block id and action id. */
export function viewSubmissionPayload(
  userId: string,
  view: { id: string; view: Record<string, unknown> },
  values: Record<string, Record<string, string | null>>,
): Record<string, unknown> {
  const state = Object.fromEntries(
    Object.entries(values).map(([block, inputs]) => [
      block,
      Object.fromEntries(
        Object.entries(inputs).map(([action, value]) => [action, { type: 'plain_text_input', value }]),
      ),
    ]),
  );
  return {
    type: 'view_submission',
    team: { id: 'T0STANDIN', domain: 'standin' },
    user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: 'T0STANDIN' },
    api_app_id: 'A0STANDIN',
    token: 'standin-verification-token',
    trigger_id: triggerId(),
    view: { ...view.view, id: view.id, team_id: 'T0STANDIN', state: { values: state }, hash: '1.abc' },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}
