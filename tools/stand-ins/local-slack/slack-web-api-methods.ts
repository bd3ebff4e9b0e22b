// The Web API methods the stand-in serves, over an in-memory workspace (messages, ephemerals, user groups).
import type { IncomingMessage } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { slackBlockProblems } from './slack-block-rules.js';

export type Json = Record<string, unknown>;

export interface WorkspaceOptions {
  /** The bot token the client must send (`Authorization: Bearer …`). */
  botToken: string;
  botUserId: string;
  teamId: string;
  /** User-group id → member user ids (`usergroups.users.list`). */
  usergroups: Record<string, string[]>;
  /** The app-level token (`xapp-…`) app-level methods such as apps.connections.open require. */
  appToken: string;
  /** Socket Mode, when on: hands out the wss URL `apps.connections.open` answers with. */
  socketMode: { openConnection(): { url: string } } | null;
}

/** Methods called with the app-level token instead of the bot token. */
export const APP_LEVEL_METHODS = new Set(['apps.connections.open']);

export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  blocks: unknown[];
  /** Every version, oldest first: what was posted, then each chat.update. */
  versions: Array<{ text: string; blocks: unknown[] }>;
}

export interface EphemeralMessage {
  channel: string;
  user: string;
  ts: string;
  threadTs: string | null;
  text: string;
  blocks: unknown[];
}

/** A modal opened with views.open: the trigger it answered and the view as sent. */
export interface OpenedView {
  id: string;
  triggerId: string;
  view: Json;
}

/** What the methods read and change. */
export interface Workspace {
  opts: WorkspaceOptions;
  url: string;
  seq: number;
  messages: StoredMessage[];
  ephemerals: EphemeralMessage[];
  views: OpenedView[];
}

const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];

export function parseArgs(req: IncomingMessage, raw: string): Json {
  const type = req.headers['content-type'] ?? '';
  let args: Json = {};
  if (type.startsWith('application/json')) args = raw ? (JSON.parse(raw) as Json) : {};
  else args = { ...parseQuery(raw) };
  for (const field of JSON_FIELDS) {
    const v = args[field];
    if (typeof v === 'string') {
      try {
        args[field] = JSON.parse(v) as unknown;
      } catch {
        args[field] = { invalidJson: v };
      }
    }
  }
  return args;
}

export const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

export function nextTs(state: Workspace): string {
  state.seq += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(state.seq).padStart(6, '0')}`;
}

/** Slack refuses about this much text across a message's blocks (undocumented; slackapi/bolt-js#2509). */
const BLOCKS_TEXT_LIMIT = 12_000;

function blockTextLength(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + blockTextLength(x), 0);
  if (typeof v !== 'object' || v === null) return 0;
  return Object.entries(v).reduce(
    (n, [k, x]) => n + (k === 'text' && typeof x === 'string' ? x.length : blockTextLength(x)),
    0,
  );
}

/** Problems with a message's content, as Slack's error codes. */
export function contentError(args: Json, requireContent: boolean): Json | null {
  const text = typeof args.text === 'string' ? args.text : '';
  if (text.length > 40_000) return { error: 'msg_too_long' };
  if (args.blocks === undefined) return requireContent && text === '' ? { error: 'no_text' } : null;
  if (!Array.isArray(args.blocks)) return { error: 'invalid_blocks_format' };
  const problems = slackBlockProblems(args.blocks);
  if (problems.length > 0)
    return { error: 'invalid_blocks', errors: problems, response_metadata: { messages: problems } };
  if (blockTextLength(args.blocks) > BLOCKS_TEXT_LIMIT) return { error: 'msg_blocks_too_long' };
  if (requireContent && text === '' && args.blocks.length === 0) return { error: 'no_text' };
  return null;
}

export function findMessage(
  state: Workspace,
  channel: string | null,
  ts: string | null,
): StoredMessage | undefined {
  return state.messages.find((m) => m.channel === channel && m.ts === ts);
}

function messageJson(
  state: Workspace,
  m: { ts: string; threadTs: string | null; text: string; blocks: unknown[] },
): Json {
  const { botUserId } = state.opts;
  return {
    type: 'message',
    user: botUserId,
    bot_id: 'B0STANDIN',
    ts: m.ts,
    text: m.text,
    blocks: m.blocks,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
  };
}

function postMessage(state: Workspace, args: Json): Json {
  const channel = str(args.channel);
  if (!channel) return { error: 'channel_not_found' };
  const problem = contentError(args, true);
  if (problem) return problem;
  const threadTs = str(args.thread_ts);
  if (threadTs && !findMessage(state, channel, threadTs)) return { error: 'thread_not_found' };
  const text = typeof args.text === 'string' ? args.text : '';
  const blocks = Array.isArray(args.blocks) ? args.blocks : [];
  const m: StoredMessage = {
    channel,
    ts: nextTs(state),
    threadTs,
    text,
    blocks,
    versions: [{ text, blocks }],
  };
  state.messages.push(m);
  return { channel, ts: m.ts, message: messageJson(state, m) };
}

function updateMessage(state: Workspace, args: Json): Json {
  const channel = str(args.channel);
  const m = findMessage(state, channel, str(args.ts));
  if (!channel || !m) return { error: 'message_not_found' };
  const problem = contentError(args, false);
  if (problem) return problem;
  // As Slack: omitted `blocks` keeps the previous blocks; `[]` removes them.
  if (typeof args.text === 'string') m.text = args.text;
  if (Array.isArray(args.blocks)) m.blocks = args.blocks;
  m.versions.push({ text: m.text, blocks: m.blocks });
  return { channel, ts: m.ts, text: m.text, message: messageJson(state, m) };
}

function postEphemeral(state: Workspace, args: Json): Json {
  const channel = str(args.channel);
  const user = str(args.user);
  if (!channel) return { error: 'channel_not_found' };
  if (!user) return { error: 'user_not_found' };
  const problem = contentError(args, true);
  if (problem) return problem;
  const threadTs = str(args.thread_ts);
  if (threadTs && !findMessage(state, channel, threadTs)) return { error: 'thread_not_found' };
  const ts = nextTs(state);
  const text = typeof args.text === 'string' ? args.text : '';
  state.ephemerals.push({
    channel,
    user,
    ts,
    threadTs,
    text,
    blocks: Array.isArray(args.blocks) ? args.blocks : [],
  });
  return { message_ts: ts };
}

/** views.open as Slack checks it: a trigger id, a modal with a title and blocks within the limits. */
function openView(state: Workspace, args: Json): Json {
  const triggerId = str(args.trigger_id);
  if (!triggerId) return { error: 'invalid_trigger_id' };
  const view =
    typeof args.view === 'string' ? (JSON.parse(args.view) as Json) : (args.view as Json | undefined);
  if (!view || view.type !== 'modal' || typeof view.title !== 'object') return { error: 'invalid_arguments' };
  const blocks = Array.isArray(view.blocks) ? view.blocks : [];
  const problems = slackBlockProblems(blocks);
  if (blocks.length === 0 || blocks.length > 100 || problems.length > 0)
    return { error: 'invalid_arguments', response_metadata: { messages: problems } };
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000)
    return { error: 'invalid_arguments', response_metadata: { messages: ['private_metadata too long'] } };
  state.seq += 1;
  const id = `V${String(state.seq).padStart(8, '0')}`;
  state.views.push({ id, triggerId, view });
  return { view: { ...view, id, team_id: state.opts.teamId, state: { values: {} } } };
}

export const SLACK_METHODS: Record<string, (state: Workspace, args: Json) => Json> = {
  'auth.test': (s) => ({
    url: 'https://standin.slack.com/',
    team: 'Stand-in',
    user: 'autofix',
    team_id: s.opts.teamId,
    user_id: s.opts.botUserId,
    bot_id: 'B0STANDIN',
    is_enterprise_install: false,
  }),
  'apps.connections.open': (s) =>
    s.opts.socketMode ? s.opts.socketMode.openConnection() : { error: 'not_allowed_token_type' },
  'chat.postMessage': postMessage,
  'chat.update': updateMessage,
  'chat.postEphemeral': postEphemeral,
  'views.open': openView,
  'chat.getPermalink': (s, a) => {
    const m = findMessage(s, str(a.channel), str(a.message_ts));
    if (!m) return { error: 'message_not_found' };
    return { channel: m.channel, permalink: `${s.url}/archives/${m.channel}/p${m.ts.replace('.', '')}` };
  },
  'usergroups.users.list': (s, a) => {
    const users = s.opts.usergroups[str(a.usergroup) ?? ''];
    return users ? { users } : { error: 'no_such_subteam' };
  },
  'users.info': (_s, a) => {
    const id = str(a.user);
    if (!id || !/^[UW][A-Z0-9]+$/.test(id)) return { error: 'user_not_found' };
    const name = id.toLowerCase();
    return {
      user: { id, name, real_name: name, deleted: false, is_bot: false, profile: { display_name: name } },
    };
  },
};
