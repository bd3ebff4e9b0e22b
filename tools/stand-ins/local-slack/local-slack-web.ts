// The local Slack web app, served by the stand-in: the page, live channel views (SSE), typed commands and clicks.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import ts from 'typescript';
import { z } from 'zod';
import { channelView } from './channel-view.js';
import type { SlackStandIn } from './slack-stand-in.js';
import {
  sendUserClick,
  sendUserCommand,
  type BotEndpoint,
  type SlackChannel,
  type SlackUser,
  type UserActionResult,
} from './slack-user-actions.js';

/** A person the page can act as; `role` is shown in the picker ("on-call", "approver", …). */
export interface LocalSlackUser extends SlackUser {
  role: string;
}

export interface LocalSlackWebOptions {
  bot: BotEndpoint;
  channel: SlackChannel;
  /** The user picker, first one selected. */
  users: LocalSlackUser[];
  workspace?: string;
  botName?: string;
}

export const LocalCommand = z.object({ user: z.string().min(1), text: z.string().min(1).max(4000) });
export type LocalCommand = z.infer<typeof LocalCommand>;

export const LocalClick = z.object({
  user: z.string().min(1),
  messageTs: z.string().min(1),
  actionId: z.string().min(1),
  blockId: z.string(),
  value: z.string(),
  buttonText: z.string(),
});
export type LocalClick = z.infer<typeof LocalClick>;

const WEB = new URL('./web/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, WEB), 'utf8');

/** The browser code is TypeScript checked with the repo; it is transpiled once, when first asked for. */
let clientJs: string | null = null;
function client(): string {
  clientJs ??= ts.transpileModule(read('local-slack-client.ts'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  return clientJs;
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'cache-control': 'no-store',
    // Everything is served from here; nothing inline, nothing from elsewhere.
    'content-security-policy':
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'",
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown): void =>
  reply(res, status, 'application/json', JSON.stringify(body));

function parseBody<T>(schema: z.ZodType<T>, raw: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Splits `/command rest` the way Slack does; plain messages are not commands. */
function slashCommand(text: string): { command: string; text: string } | null {
  const m = /^(\/[a-z0-9_-]+)(?:\s+([\s\S]*))?$/i.exec(text.trim());
  return m ? { command: m[1]!.toLowerCase(), text: (m[2] ?? '').trim() } : null;
}

/** JSON from this origin only: another site cannot send a JSON POST here without a (refused) preflight. */
function fromThisPage(req: IncomingMessage, origin: string): boolean {
  const type = req.headers['content-type'] ?? '';
  const from = req.headers.origin;
  return type.startsWith('application/json') && (from === undefined || from === origin);
}

/** The message ts a `/archives/<channel>/p<digits>` permalink points at, or null. */
function permalink(path: string): string | null {
  const m = /^\/archives\/[A-Z0-9]+\/p(\d+)(\d{6})$/.exec(path);
  return m ? `${m[1]}.${m[2]}` : null;
}

interface Viewer {
  res: ServerResponse;
  user: string;
  last: string;
}

/** Mounts the web app on the stand-in's server; returns the page's URL. */
export function serveLocalSlack(slack: SlackStandIn, opts: LocalSlackWebOptions): { url: string } {
  const botName = opts.botName ?? 'kube-autofix';
  const names = new Map(opts.users.map((u) => [u.id, u.name]));
  const userOf = (id: string): SlackUser | null => {
    const u = opts.users.find((x) => x.id === id);
    return u ? { id: u.id, name: u.name } : null;
  };
  const viewJson = (user: string): string =>
    JSON.stringify(
      channelView(slack, opts.channel.id, user, { botName, userName: (id) => names.get(id) ?? null }),
    );
  const viewers = new Set<Viewer>();
  slack.onChange(() => {
    for (const v of viewers) {
      const now = viewJson(v.user);
      if (now === v.last) continue;
      v.last = now;
      v.res.write(`data: ${now}\n\n`);
    }
  });

  const events = (res: ServerResponse, user: string): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    const viewer: Viewer = { res, user, last: viewJson(user) };
    res.write(`data: ${viewer.last}\n\n`);
    viewers.add(viewer);
    res.on('close', () => viewers.delete(viewer));
  };

  const act = (res: ServerResponse, work: () => Promise<UserActionResult>): void => {
    work().then(
      (r) => json(res, 200, r),
      (e: unknown) => json(res, 500, { status: null, ms: null, error: String(e) }),
    );
  };

  const command = (res: ServerResponse, body: LocalCommand): void => {
    const user = userOf(body.user);
    const slash = slashCommand(body.text);
    if (!user) return json(res, 400, { error: `unknown user ${body.user}` });
    if (!slash) return json(res, 400, { error: 'Only slash commands reach the bot here: try /autofix help' });
    if (slash.command !== '/autofix')
      return json(res, 400, { error: `${slash.command} is not a valid command here: try /autofix help` });
    act(res, () => sendUserCommand(slack, opts.bot, { user, channel: opts.channel, ...slash }));
  };

  const click = (res: ServerResponse, body: LocalClick): void => {
    const user = userOf(body.user);
    if (!user) return json(res, 400, { error: `unknown user ${body.user}` });
    act(res, () => sendUserClick(slack, opts.bot, { ...body, user, channel: opts.channel }));
  };

  const config = JSON.stringify({
    workspace: opts.workspace ?? 'kube-autofix (local)',
    channel: opts.channel,
    users: opts.users,
    botName,
  });

  slack.mount((req: IncomingMessage, res: ServerResponse, raw: string): boolean => {
    const url = new URL(req.url ?? '/', slack.url);
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    if (req.method === 'POST' && url.pathname.startsWith('/local/') && !fromThisPage(req, slack.url)) {
      json(res, 403, { error: 'POST JSON from the local Slack page only' });
      return true;
    }
    if (route === 'GET /') reply(res, 200, 'text/html', read('index.html'));
    else if (route === 'GET /assets/local-slack.css') reply(res, 200, 'text/css', read('local-slack.css'));
    else if (route === 'GET /assets/local-slack-client.js') reply(res, 200, 'text/javascript', client());
    else if (route === 'GET /local/config') reply(res, 200, 'application/json', config);
    else if (permalink(url.pathname)) {
      // chat.getPermalink's links open the page on that message's thread.
      res.writeHead(302, { location: `/?thread=${permalink(url.pathname)}` }).end();
    } else if (route === 'GET /local/events') events(res, url.searchParams.get('user') ?? '');
    else if (route === 'POST /local/command') {
      const body = parseBody(LocalCommand, raw);
      if (body) command(res, body);
      else json(res, 400, { error: 'expected {"user": "U…", "text": "/autofix …"}' });
    } else if (route === 'POST /local/click') {
      const body = parseBody(LocalClick, raw);
      if (body) click(res, body);
      else
        json(res, 400, { error: 'expected a click {user, messageTs, actionId, blockId, value, buttonText}' });
    } else return false;
    return true;
  });
  return { url: `${slack.url}/` };
}
