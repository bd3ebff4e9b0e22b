// Signed requests into a bot, against a real local server: the answer as read, and a silent bot as a timeout.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  sendSigned,
  slackSignature,
} from '../../../../../tools/stand-ins/local-slack/slack-signed-request.js';

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = null;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
}

describe('sendSigned', () => {
  it('signs the body and reads the answer: status, text, JSON and lower-case headers', async () => {
    let seen: { signature?: string; timestamp?: string; body: string } | null = null;
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen = {
          signature: req.headers['x-slack-signature'] as string | undefined,
          timestamp: req.headers['x-slack-request-timestamp'] as string | undefined,
          body,
        };
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Extra': 'yes' });
        res.end('{"ok":true}');
      });
    });
    const reply = await sendSigned(url, 'secret', 'a=1&b=2');
    expect(reply).toMatchObject({ status: 200, body: '{"ok":true}', json: { ok: true } });
    expect(reply.headers['x-extra']).toBe('yes');
    expect(seen!.body).toBe('a=1&b=2');
    expect(seen!.signature).toBe(slackSignature('secret', Number(seen!.timestamp), 'a=1&b=2'));
  });

  it('a bot that never answers is a TimeoutError, as fetch would say', async () => {
    const url = await serve(() => undefined);
    const err = await sendSigned(url, 'secret', 'a=1', { timeoutMs: 200 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DOMException);
    expect((err as DOMException).name).toBe('TimeoutError');
  });
});
