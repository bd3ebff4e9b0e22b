// End to end over Socket Mode: the same /autofix → proposal → approve → healthy flow as over HTTP, and reconnects.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { waitAvailable, type Kube } from './support/kube.js';
import { askForFix, imageOf, useSlackScene } from './support/slack-flow.js';
import {
  APPROVER,
  CHANNEL,
  buttonsOf,
  click,
  feedbackButtons,
  parentMessages,
  proposalsIn,
  slash,
  textOf,
  type Harness,
} from './support/slack-harness.js';
import type { SocketModeStandIn } from '../../tools/stand-ins/local-slack/slack-socket-mode-stand-in.js';

let k: Kube;
let ns: string;
let h: Harness;
let socket: SocketModeStandIn;
let botPort: number;

/** A free loopback port (Socket Mode does not report the port its /healthz server bound). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

useSlackScene(
  'socket',
  {
    broken: ['web', 'dropped'],
    harness: async () => {
      botPort = await freePort();
      return { worker: true, socketMode: true, botPort };
    },
  },
  (s) => {
    ({ k, ns, h } = s);
    socket = h.socket!;
  },
);

const where = (m: { ts: string; threadTs: string | null }) => ({
  channel: CHANNEL,
  messageTs: m.ts,
  threadTs: m.threadTs ?? undefined,
});

/** Approves and waits for the rollout result in the thread. */
async function approveAndWait(asked: Awaited<ReturnType<typeof askForFix>>) {
  const approved = await click(h, 'autofix_approve', asked.proposalId, APPROVER, where(asked.proposal));
  const result = await h.slack.waitFor(
    () => h.slack.messagesIn(CHANNEL, asked.parent.ts).find((m) => m.text.includes('Applied fix')),
    120_000,
    'the apply result',
  );
  return { approved, result };
}

describe('Socket Mode', () => {
  it('connects with the app token: apps.connections.open, then hello on a one-ticket URL', () => {
    const opens = h.slack.calls('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatchObject({ token: socket.appToken, status: 200 });
    expect(opens[0]!.response.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/);
    expect(socket.liveConnections()).toBe(1);
    // The bot's own calls still use the bot token: the app token opens sockets only.
    expect(h.slack.calls('auth.test')[0]?.token).toBe(h.slack.botToken);
  });

  it('still serves /healthz and /metrics on PORT (the chart probes them), but no /slack/events', async () => {
    const base = `http://127.0.0.1:${botPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^# HELP /m);
    expect((await fetch(`${base}/slack/events`, { method: 'POST' })).status).toBe(404);
  });

  it('walks /autofix → proposal → approve → healthy with every request acked over the socket', async () => {
    const asked = await askForFix(h, ns, 'web');
    expect(asked.ackMs).toBeLessThan(3000);
    expect(buttonsOf(asked.proposal)).toEqual({
      autofix_approve: asked.proposalId,
      autofix_reject: asked.proposalId,
      ...feedbackButtons((await h.store.get(asked.proposalId))!.runId),
    });
    expect(textOf(asked.proposal)).toContain('nginx:1.27');

    const { approved, result } = await approveAndWait(asked);
    expect(approved.reply.status).toBe(200);
    expect(approved.reply.ms).toBeLessThan(3000);
    expect(textOf(result)).toMatch(/rollout healthy/);
    expect(textOf(h.slack.message(CHANNEL, asked.proposal.ts))).toMatch(/Approved\* by <@U0APPROVER>/);
    expect(await imageOf(k, ns, 'web')).toBe('nginx:1.27');
    await waitAvailable(k, ns, 'web');
    expect((await h.store.get(asked.proposalId))!.state).toBe('applied');
    // Two envelopes (the command and the click), each acked once, both on the first connection.
    expect(socket.acks().map((a) => a.connection)).toEqual([1, 1]);
  });

  it('reconnects after the socket drops mid-investigation, and the approval still works', async () => {
    const opened = socket.connectionsOpened();
    const reply = await slash(h, `deployment/dropped -n ${ns}`);
    expect(reply.status).toBe(200);
    const parent = await h.slack.waitFor(
      () => parentMessages(h).find((m) => m.text.includes('deployment/dropped')),
      10_000,
      'the parent message',
    );
    // The network drops while the worker investigates: no close frame, the bot must notice and reconnect.
    socket.drop();
    await socket.waitForConnection(opened + 1, 60_000);
    expect(h.slack.calls('apps.connections.open')).toHaveLength(opened + 1);

    const proposal = await h.slack.waitFor(
      () => proposalsIn(h, CHANNEL, parent.ts)[0],
      120_000,
      'the proposal for dropped',
    );
    const asked = { parent, proposal, proposalId: buttonsOf(proposal).autofix_approve!, ackMs: reply.ms };
    const { approved, result } = await approveAndWait(asked);
    expect(approved.reply.status).toBe(200);
    expect(socket.acks().at(-1)!.connection).toBe(opened + 1);
    expect(textOf(result)).toMatch(/rollout healthy/);
    expect(await imageOf(k, ns, 'dropped')).toBe('nginx:1.27');
  });

  it.each(['warning', 'refresh_requested'] as const)(
    'a disconnect message (%s) makes the bot reconnect on a fresh URL and keep answering',
    async (reason) => {
      const opened = socket.connectionsOpened();
      socket.requestDisconnect(reason);
      await socket.waitForConnection(opened + 1, 60_000);
      // The old ticket is spent: the new connection came from a new apps.connections.open.
      expect(h.slack.calls('apps.connections.open')).toHaveLength(opened + 1);
      const help = await slash(h, 'help');
      expect(help.status).toBe(200);
      expect(help.json).toMatchObject({ response_type: 'ephemeral' });
      expect(help.body).toContain('/autofix');
      expect(socket.acks().at(-1)!.connection).toBe(opened + 1);
    },
  );
});
