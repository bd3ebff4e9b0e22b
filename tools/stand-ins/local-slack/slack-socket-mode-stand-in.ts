// Slack's Socket Mode side: one-ticket wss URLs for apps.connections.open, envelopes over `ws`, acks by envelope_id.
import { runProbes, waitForProbe } from './probe-wait.js';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { slashCommandFields, type BotReply, type SlashCommandFields } from './slack-signed-request.js';

/** One acknowledgement the app sent back: `{ envelope_id, payload? }`. */
export interface EnvelopeAck {
  envelopeId: string;
  payload: Record<string, unknown> | null;
  /** The connection (1-based, in order of opening) the ack came over. */
  connection: number;
}

/** Why Slack asks the app to reconnect: a warning ~10 s before, or a refresh it wants now. */
export type DisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

export interface SocketModeStandIn {
  appToken: string;
  /** What `apps.connections.open` answers: a fresh wss URL whose ticket works once. */
  openConnection(): { url: string };
  /** Connections that said hello and are still open. */
  liveConnections(): number;
  /** Connections ever opened (a reconnect makes this grow). */
  connectionsOpened(): number;
  /**
   * Resolves once `count` connections have been opened in total and one is live (accepted and greeted).
   * The app counts as connected only after it handled the hello: an acked envelope proves that.
   */
  waitForConnection(count?: number, timeoutMs?: number): Promise<void>;
  /** A `slash_commands` envelope on the newest live connection; resolves with the app's ack. */
  sendSlashCommand(fields: SlashCommandFields, ackTimeoutMs?: number): Promise<BotReply>;
  /** An `interactive` envelope (a block_actions payload); resolves with the app's ack. */
  sendInteractive(payload: object, ackTimeoutMs?: number): Promise<BotReply>;
  /** Sends `{ type: "disconnect", reason }` on every live connection; the app closes and reconnects. */
  requestDisconnect(reason: DisconnectReason): void;
  /** Kills every live connection without a close frame, as a network drop would. */
  drop(): void;
  acks(): EnvelopeAck[];
  close(): Promise<void>;
}

interface Live {
  n: number;
  ws: WebSocket;
}

interface State {
  url: string;
  tickets: Set<string>;
  live: Live[];
  opened: number;
  acks: EnvelopeAck[];
  probes: Set<() => void>;
}

const APP_ID = 'A0STANDIN';

function notify(state: State): void {
  runProbes(state);
}

function waitUntil<T>(state: State, probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return waitForProbe(
    state,
    probe,
    timeoutMs,
    () => `Socket Mode stand-in: timed out after ${timeoutMs} ms waiting for ${what}`,
  );
}

function onMessage(state: State, n: number, data: Buffer): void {
  let msg: { envelope_id?: unknown; payload?: unknown };
  try {
    msg = JSON.parse(data.toString('utf8')) as typeof msg;
  } catch {
    return; // Slack ignores what it cannot parse; so do we.
  }
  if (typeof msg.envelope_id !== 'string') return;
  const payload =
    msg.payload && typeof msg.payload === 'object' ? (msg.payload as Record<string, unknown>) : null;
  state.acks.push({ envelopeId: msg.envelope_id, payload, connection: n });
  notify(state);
}

function onConnection(state: State, ws: WebSocket): void {
  state.opened += 1;
  const me: Live = { n: state.opened, ws };
  state.live.push(me);
  ws.on('message', (data: Buffer) => onMessage(state, me.n, data));
  ws.on('close', () => {
    state.live = state.live.filter((l) => l !== me);
    notify(state);
  });
  ws.send(
    JSON.stringify({
      type: 'hello',
      num_connections: state.live.length,
      debug_info: { host: 'applink-standin', build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: APP_ID },
    }),
  );
  notify(state);
}

/** Delivers one envelope and waits for its ack, timed like an HTTP request into the app. */
async function deliver(
  state: State,
  type: 'slash_commands' | 'interactive',
  payload: object,
  ackTimeoutMs: number,
): Promise<BotReply> {
  const target = state.live.at(-1);
  if (!target)
    throw new Error('Socket Mode stand-in: no live connection (Slack would answer dispatch_failed)');
  const envelopeId = randomBytes(16).toString('hex');
  const started = performance.now();
  target.ws.send(
    JSON.stringify({
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type === 'slash_commands',
    }),
  );
  const ack = await waitUntil(
    state,
    () => state.acks.find((a) => a.envelopeId === envelopeId),
    ackTimeoutMs,
    `the ack of ${type} envelope ${envelopeId}`,
  );
  const body = JSON.stringify(ack.payload ?? {});
  return { status: 200, body, json: ack.payload, headers: {}, ms: performance.now() - started };
}

function ticketOf(req: IncomingMessage): string | null {
  return new URL(req.url ?? '/', 'ws://standin').searchParams.get('ticket');
}

export async function startSocketModeStandIn(
  options: { appToken?: string } = {},
): Promise<SocketModeStandIn> {
  const state: State = { url: '', tickets: new Set(), live: [], opened: 0, acks: [], probes: new Set() };
  // A ticket is good for one connection, so every reconnect must call apps.connections.open again.
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/link/',
    verifyClient: ({ req }: { req: IncomingMessage }) => state.tickets.delete(ticketOf(req) ?? ''),
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  state.url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/link/`;
  wss.on('connection', (ws: WebSocket) => onConnection(state, ws));
  return {
    appToken: options.appToken ?? 'xapp-1-A0STANDIN-1-standin',
    openConnection() {
      const ticket = randomBytes(12).toString('hex');
      state.tickets.add(ticket);
      return { url: `${state.url}?ticket=${ticket}&app_id=${APP_ID}` };
    },
    liveConnections: () => state.live.length,
    connectionsOpened: () => state.opened,
    waitForConnection: (count = 1, timeoutMs = 30_000) =>
      waitUntil(
        state,
        () => (state.opened >= count && state.live.length > 0 ? true : undefined),
        timeoutMs,
        `connection #${count}`,
      ).then(() => undefined),
    sendSlashCommand: (fields, ackTimeoutMs = 10_000) =>
      deliver(state, 'slash_commands', slashCommandFields(fields), ackTimeoutMs),
    sendInteractive: (payload, ackTimeoutMs = 10_000) => deliver(state, 'interactive', payload, ackTimeoutMs),
    requestDisconnect(reason) {
      const message = JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-standin' } });
      for (const l of state.live) l.ws.send(message);
    },
    drop() {
      for (const l of state.live) l.ws.terminate();
    },
    acks: () => [...state.acks],
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
