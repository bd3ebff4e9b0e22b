// An HTTP proxy in front of the sandbox's real MLflow: delays every answer, holds some requests unanswered until
// released (a server that stalls mid-bookkeeping) or answers some itself (an older server without an API), and counts
// what it forwarded.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MlflowProxyOptions {
  /** Answer every request this much later. */
  delayMs?: number;
  /** Requests not answered until `release` (or never, if the proxy closes first). */
  hold?: (req: { method: string; url: string }) => boolean;
  /** Answered here with this status and MLflow error body instead of forwarded (null: forward). */
  answer?: (req: { method: string; url: string }) => { status: number; body: object } | null;
}

export interface MlflowProxy {
  url: string;
  /** Requests forwarded (and answered). */
  readonly forwarded: number;
  /** Requests held so far, `METHOD url`. */
  readonly held: readonly string[];
  /** Forwards the held requests, and holds no more from now on. */
  release(): void;
  close(): Promise<void>;
}

function forwardHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers).filter(([h]) => !['host', 'connection', 'content-length'].includes(h)),
  ) as Record<string, string>;
}

export async function startMlflowProxy(target: string, opts: MlflowProxyOptions = {}): Promise<MlflowProxy> {
  const upstream = target.replace(/\/+$/, '');
  let forwarded = 0;
  const held: string[] = [];
  let released = false;
  const waiting: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const forward = (): void => {
        fetch(`${upstream}${url}`, {
          method,
          headers: forwardHeaders(req),
          body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks),
        })
          .then(async (r) => {
            forwarded += 1;
            res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
            res.end(Buffer.from(await r.arrayBuffer()));
          })
          .catch(() => {
            if (!res.headersSent) res.writeHead(502);
            res.end();
          });
      };
      if (!released && opts.hold?.({ method, url })) {
        held.push(`${method} ${url}`);
        waiting.push(forward);
        return;
      }
      const own = opts.answer?.({ method, url });
      if (own) {
        res.writeHead(own.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(own.body));
        return;
      }
      setTimeout(forward, opts.delayMs ?? 0);
    });
    // A client that gave up closes the socket; nothing more to do.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get forwarded() {
      return forwarded;
    },
    held,
    release() {
      released = true;
      for (const forward of waiting.splice(0)) forward();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
