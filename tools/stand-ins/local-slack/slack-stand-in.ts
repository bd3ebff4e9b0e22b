// A local server speaking Slack's Web API and response_urls as @slack/web-api calls them, recording every call.
import { runProbes, waitForProbe } from './probe-wait.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  APP_LEVEL_METHODS,
  SLACK_METHODS,
  contentError,
  findMessage,
  parseArgs,
  str,
  type EphemeralMessage,
  type Json,
  type OpenedView,
  type StoredMessage,
  type Workspace,
  type WorkspaceOptions,
} from './slack-web-api-methods.js';
import {
  sendBlockAction,
  sendSlashCommand,
  type BotReply,
  type SignOptions,
  type SlashCommandFields,
} from './slack-signed-request.js';
import { applyResponse, type ResponseContext } from './slack-response-url.js';

export * from './slack-signed-request.js';
export { slackBlockProblems } from './slack-block-rules.js';
export type { EphemeralMessage, OpenedView, StoredMessage } from './slack-web-api-methods.js';
export type { ResponseContext } from './slack-response-url.js';

/** Defaults: token `xoxb-standin-token`, bot user `U0AUTOFIX`, team `T0STANDIN`, no user groups, no Socket Mode. */
export type SlackStandInOptions = Partial<WorkspaceOptions> & {
  /** Port on 127.0.0.1; default 0 (a free one). */
  port?: number;
};

/** Serves a request the stand-in does not know; returns false to pass (404). */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, raw: string) => boolean;

/** One Web API call as received and answered. */
export interface RecordedCall {
  seq: number;
  method: string;
  /** Form or JSON arguments; `blocks` (and other JSON-encoded fields) parsed. */
  args: Json;
  token: string | null;
  status: number;
  response: Json;
}

export interface ResponseUrlPost {
  id: string;
  body: Json;
}

/** What the next call(s) of a method answer instead of succeeding. */
export type ScriptedFailure =
  { rateLimited: true; retryAfter?: number } | { error: string } | { status: number };

export interface SlackStandIn {
  url: string;
  /** Give this to the client: `new WebClient(token, { slackApiUrl: apiUrl })`. */
  apiUrl: string;
  botToken: string;
  botUserId: string;
  calls(method?: string): RecordedCall[];
  /** Messages of a channel in posting order: top-level ones (threadTs undefined/null) or one thread's replies. */
  messagesIn(channel: string, threadTs?: string | null): StoredMessage[];
  message(channel: string, ts: string): StoredMessage | undefined;
  ephemerals(channel?: string, user?: string): EphemeralMessage[];
  /** Modals opened with views.open, oldest first. */
  views(): OpenedView[];
  responses(id?: string): ResponseUrlPost[];
  /** A fresh response_url served by this stand-in; with a context, posts to it change the workspace as in Slack. */
  responseUrl(id?: string, context?: ResponseContext): string;
  /** Applies a response body (e.g. a slash command's ack) as a post to the response_url `id` would. */
  respond(id: string, body: Json): Json | null;
  /** Serves extra paths (the local Slack web app) from the same server. */
  mount(route: ExtraRoute): void;
  /** Calls `listener` after every request the stand-in served; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  /** Answer the next calls of `method` with these failures, in order. */
  failNext(method: string, ...failures: ScriptedFailure[]): void;
  setUsergroup(id: string, users: string[]): void;
  /** Resolves with the first value `probe` returns that is not undefined, re-checked on every request. */
  waitFor<T>(probe: () => T | undefined, timeoutMs?: number, what?: string): Promise<T>;
  waitForCall(predicate: (c: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  waitForResponse(predicate: (r: ResponseUrlPost) => boolean, timeoutMs?: number): Promise<ResponseUrlPost>;
  /** Sends a signed slash command into the bot, response_url pointing here unless given. */
  sendSlashCommand(
    botUrl: string,
    signingSecret: string,
    fields: SlashCommandFields,
    opts?: SignOptions,
  ): Promise<BotReply>;
  sendBlockAction(
    botUrl: string,
    signingSecret: string,
    payload: object,
    opts?: SignOptions,
  ): Promise<BotReply>;
  close(): Promise<void>;
}

interface State extends Workspace {
  calls: RecordedCall[];
  responses: ResponseUrlPost[];
  failures: Map<string, ScriptedFailure[]>;
  probes: Set<() => void>;
  contexts: Map<string, ResponseContext>;
  routes: ExtraRoute[];
}

function send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function tokenOf(req: IncomingMessage, args: Json): string | null {
  const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return auth?.[1] ?? str(args.token);
}

/** The answer to one Web API call: scripted failure, auth, then the method. */
function answer(
  state: State,
  method: string,
  token: string | null,
  args: Json,
): { status: number; body: Json; headers: Record<string, string> } {
  const failure = state.failures.get(method)?.shift();
  if (failure && 'rateLimited' in failure) {
    return {
      status: 429,
      body: { ok: false, error: 'ratelimited' },
      headers: { 'retry-after': String(failure.retryAfter ?? 1) },
    };
  }
  if (failure && 'status' in failure)
    return { status: failure.status, body: { ok: false, error: 'http_error' }, headers: {} };
  if (failure) return { status: 200, body: { ok: false, error: failure.error }, headers: {} };
  if (!token) return { status: 200, body: { ok: false, error: 'not_authed' }, headers: {} };
  if (token !== (APP_LEVEL_METHODS.has(method) ? state.opts.appToken : state.opts.botToken))
    return { status: 200, body: { ok: false, error: 'invalid_auth' }, headers: {} };
  const handler = SLACK_METHODS[method];
  if (!handler)
    return { status: 200, body: { ok: false, error: 'unknown_method', req_method: method }, headers: {} };
  const result = handler(state, args);
  return {
    status: 200,
    body: 'error' in result ? { ok: false, ...result } : { ok: true, ...result },
    headers: {},
  };
}

function handleApi(
  state: State,
  method: string,
  req: IncomingMessage,
  raw: string,
  res: ServerResponse,
): void {
  let args: Json;
  try {
    args = parseArgs(req, raw);
  } catch {
    send(res, 200, { ok: false, error: 'invalid_json' });
    return;
  }
  const token = tokenOf(req, args);
  const { status, body, headers } = answer(state, method, token, args);
  state.calls.push({ seq: state.calls.length + 1, method, args, token, status, response: body });
  send(res, status, body, headers);
}

function handleResponseUrl(
  state: State,
  id: string,
  req: IncomingMessage,
  raw: string,
  res: ServerResponse,
): void {
  let body: Json;
  try {
    body = parseArgs(req, raw);
  } catch {
    body = { invalidJson: raw };
  }
  const uses = state.responses.filter((r) => r.id === id).length;
  state.responses.push({ id, body });
  if (uses >= 5) return send(res, 404, { ok: false, error: 'used_url' });
  const context = state.contexts.get(id);
  const problem = context
    ? applyResponse(state, context, body)
    : body.blocks === undefined
      ? null
      : contentError(body, false);
  if (problem) return send(res, 400, { ok: false, ...problem });
  send(res, 200, { ok: true });
}

async function route(state: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const path = new URL(req.url ?? '/', state.url).pathname;
  const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(path);
  const response = /^\/response\/([^/]+)$/.exec(path);
  if (api && req.method === 'POST') handleApi(state, api[1]!, req, raw, res);
  else if (response && req.method === 'POST')
    handleResponseUrl(state, decodeURIComponent(response[1]!), req, raw, res);
  else if (!state.routes.some((serve) => serve(req, res, raw)))
    send(res, 404, { ok: false, error: 'not_found' });
  runProbes(state);
}

function waitFor<T>(
  state: State,
  probe: () => T | undefined,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  return waitForProbe(state, probe, timeoutMs, () => {
    const seen = state.calls.map((c) => `${c.method}→${String(c.response.ok)}`).join(', ') || 'none';
    return `Slack stand-in: timed out after ${timeoutMs} ms waiting for ${what}; calls seen: ${seen}`;
  });
}

function standInApi(state: State, close: () => Promise<void>): SlackStandIn {
  const responseUrl = (
    id = `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
    context?: ResponseContext,
  ): string => {
    if (context) state.contexts.set(id, context);
    return `${state.url}/response/${encodeURIComponent(id)}`;
  };
  return {
    url: state.url,
    apiUrl: `${state.url}/api/`,
    botToken: state.opts.botToken,
    botUserId: state.opts.botUserId,
    calls: (method) => state.calls.filter((c) => method === undefined || c.method === method),
    messagesIn: (channel, threadTs) =>
      state.messages.filter(
        (m) => m.channel === channel && (threadTs ? m.threadTs === threadTs : m.threadTs === null),
      ),
    message: (channel, ts) => findMessage(state, channel, ts),
    views: () => state.views,
    ephemerals: (channel, user) =>
      state.ephemerals.filter((e) => (!channel || e.channel === channel) && (!user || e.user === user)),
    responses: (id) => state.responses.filter((r) => id === undefined || r.id === id),
    responseUrl,
    respond: (id, body) => {
      const context = state.contexts.get(id);
      const problem = context ? applyResponse(state, context, body) : contentError(body, false);
      for (const probe of [...state.probes]) probe();
      return problem;
    },
    mount: (serve) => void state.routes.push(serve),
    onChange: (listener) => {
      state.probes.add(listener);
      return () => void state.probes.delete(listener);
    },
    failNext: (method, ...failures) =>
      state.failures.set(method, [...(state.failures.get(method) ?? []), ...failures]),
    setUsergroup: (id, users) => void (state.opts.usergroups[id] = users),
    waitFor: (probe, timeoutMs, what) => waitFor(state, probe, timeoutMs, what),
    waitForCall: (predicate, timeoutMs) =>
      waitFor(state, () => state.calls.find(predicate), timeoutMs, 'a matching Web API call'),
    waitForResponse: (predicate, timeoutMs) =>
      waitFor(state, () => state.responses.find(predicate), timeoutMs, 'a matching response_url post'),
    sendSlashCommand: (botUrl, secret, fields, opts) =>
      sendSlashCommand(botUrl, secret, { response_url: responseUrl(), ...fields }, opts),
    sendBlockAction: (botUrl, secret, payload, opts) => sendBlockAction(botUrl, secret, payload, opts),
    close,
  };
}

export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const state: State = {
    opts: {
      botToken: options.botToken ?? 'xoxb-standin-token',
      botUserId: options.botUserId ?? 'U0AUTOFIX',
      teamId: options.teamId ?? 'T0STANDIN',
      usergroups: { ...(options.usergroups ?? {}) },
      appToken: options.appToken ?? 'xapp-standin-token',
      socketMode: options.socketMode ?? null,
    },
    url: '',
    seq: 0,
    calls: [],
    messages: [],
    ephemerals: [],
    views: [],
    responses: [],
    failures: new Map(),
    probes: new Set(),
    contexts: new Map(),
    routes: [],
  };
  const server = createServer((req, res) => {
    route(state, req, res).catch((e: unknown) => send(res, 500, { ok: false, error: String(e) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server.closeAllConnections();
      server.close((e) => (e ? reject(e) : resolve()));
    });
  return standInApi(state, close);
}
