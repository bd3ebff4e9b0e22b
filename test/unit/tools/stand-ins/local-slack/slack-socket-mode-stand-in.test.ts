// The Socket Mode stand-in speaks the protocol: app-token-only apps.connections.open, one-use tickets, hello, acks.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  startSlackStandIn,
  type SlackStandIn,
} from '../../../../../tools/stand-ins/local-slack/slack-stand-in.js';
import {
  startSocketModeStandIn,
  type SocketModeStandIn,
} from '../../../../../tools/stand-ins/local-slack/slack-socket-mode-stand-in.js';

let socket: SocketModeStandIn;
let slack: SlackStandIn;
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const c of clients) c.terminate();
  clients.length = 0;
  await socket?.close();
  await slack?.close();
});

async function start(): Promise<void> {
  socket = await startSocketModeStandIn();
  slack = await startSlackStandIn({ appToken: socket.appToken, socketMode: socket });
}

async function open(token: string): Promise<{ ok: boolean; url?: string; error?: string }> {
  const res = await fetch(`${slack.apiUrl}apps.connections.open`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  return (await res.json()) as { ok: boolean; url?: string; error?: string };
}

/** Connects and resolves with the first message (hello), or rejects when the upgrade is refused. */
function connect(url: string): Promise<{ ws: WebSocket; hello: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    clients.push(ws);
    ws.once('message', (data: Buffer) =>
      resolve({ ws, hello: JSON.parse(data.toString()) as Record<string, unknown> }),
    );
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('Socket Mode stand-in', () => {
  it('opens connections with the app token only; the bot token is refused', async () => {
    await start();
    expect(await open(slack.botToken)).toMatchObject({ ok: false, error: 'invalid_auth' });
    const opened = await open(socket.appToken);
    expect(opened.ok).toBe(true);
    expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f]+&app_id=A0STANDIN$/);
  });

  it('without Socket Mode the method says the token type is not allowed', async () => {
    socket = await startSocketModeStandIn();
    slack = await startSlackStandIn({ appToken: 'xapp-1' });
    expect(await open('xapp-1')).toMatchObject({ ok: false, error: 'not_allowed_token_type' });
  });

  it('greets with hello, and a ticket works once', async () => {
    await start();
    const { url } = await open(socket.appToken);
    const { hello } = await connect(url!);
    expect(hello).toMatchObject({
      type: 'hello',
      num_connections: 1,
      connection_info: { app_id: 'A0STANDIN' },
    });
    await expect(connect(url!)).rejects.toThrow(/upgrade refused: 401/);
    expect(socket.connectionsOpened()).toBe(1);
  });

  it('delivers a slash_commands envelope and resolves with the ack payload', async () => {
    await start();
    const { ws } = await connect((await open(socket.appToken)).url!);
    ws.on('message', (data: Buffer) => {
      const env = JSON.parse(data.toString()) as {
        envelope_id: string;
        type: string;
        payload: { text: string };
      };
      expect(env.type).toBe('slash_commands');
      ws.send(JSON.stringify({ envelope_id: env.envelope_id, payload: { text: `got ${env.payload.text}` } }));
    });
    const reply = await socket.sendSlashCommand({ text: 'help' });
    expect(reply).toMatchObject({ status: 200, json: { text: 'got help' } });
    expect(socket.acks()).toHaveLength(1);
  });

  it('sends disconnect warnings, and a drop leaves no live connection', async () => {
    await start();
    const { ws } = await connect((await open(socket.appToken)).url!);
    const next = new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString())));
    socket.requestDisconnect('refresh_requested');
    expect(JSON.parse(await next)).toMatchObject({ type: 'disconnect', reason: 'refresh_requested' });
    const closed = new Promise((resolve) => ws.once('close', resolve));
    socket.drop();
    await closed;
    await expect(socket.sendInteractive({ type: 'block_actions' })).rejects.toThrow(/no live connection/);
  });
});
