// An HTTP pass-through in front of a real OpenAI-compatible server that records each exchange, so a test can
// read what the engine sent and what the server answered (status, finish_reason) without changing either.
import { createServer, type IncomingMessage } from 'node:http';
import { Agent, fetch } from 'undici';

export interface Exchange {
  path: string;
  request: Record<string, unknown>;
  status: number;
  response: Record<string, unknown>;
}

export interface RecordingProxy {
  /** The base URL to give the engine (…/v1). */
  url: string;
  exchanges: Exchange[];
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const parse = (text: string): Record<string, unknown> => {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { unparsed: text };
  }
};

export async function startRecordingProxy(upstreamV1: string): Promise<RecordingProxy> {
  const upstream = new URL(upstreamV1);
  // fetch's default 300 s header timeout would cut a slow CPU completion; the engine's own timeout governs.
  const dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
  const exchanges: Exchange[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const text = await bodyOf(req);
      const path = (req.url ?? '/').replace(/^\/v1/, '');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (req.headers.authorization) headers.authorization = req.headers.authorization;
      const answer = await fetch(`${upstream.origin}${upstream.pathname}${path}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' ? undefined : text,
        dispatcher,
      });
      const out = await answer.text();
      exchanges.push({ path, request: parse(text), status: answer.status, response: parse(out) });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(out);
    })().catch((e: unknown) => {
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e) }));
    });
  });
  // A CPU completion may take minutes: no server-side timeout cuts it.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    exchanges,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        // destroy, not close: an upstream completion still running is abandoned, not awaited.
        server.close(() => void dispatcher.destroy().then(() => r()));
      }),
  };
}
