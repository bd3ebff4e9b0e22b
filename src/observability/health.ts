// Health of a process (is Redis reachable?) and a tiny HTTP server for /healthz and /metrics.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Health {
  ok: boolean;
  redis: 'up' | 'down';
}

/** Anything that answers PING (an ioredis client). */
export interface Pingable {
  ping(): Promise<string>;
}

/** Redis is "up" when it answers PING within `timeoutMs`. */
export async function checkHealth(redis: Pingable, timeoutMs = 1000): Promise<Health> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const answer = await Promise.race([redis.ping(), timeout]);
    const up = answer === 'PONG';
    return { ok: up, redis: up ? 'up' : 'down' };
  } catch {
    return { ok: false, redis: 'down' };
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /healthz`: 200 or 503 with the Health JSON. */
export async function serveHealth(redis: Pingable, res: ServerResponse): Promise<void> {
  const h = await checkHealth(redis);
  res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
  res.end(JSON.stringify(h));
}

/** `GET /metrics` in the Prometheus text format. */
export async function serveMetrics(registry: Registry, res: ServerResponse): Promise<void> {
  const body = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType });
  res.end(body);
}

/** The worker's own endpoint (the bot serves the same paths through Bolt): /healthz and /metrics. */
export async function startHealthServer(opts: {
  port: number;
  host?: string;
  redis: Pingable;
  registry: Registry;
}): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const done = (p: Promise<void>): void => void p.catch(() => res.writableEnded || res.end());
    if (req.method === 'GET' && path === '/healthz') return done(serveHealth(opts.redis, res));
    if (req.method === 'GET' && path === '/metrics') return done(serveMetrics(opts.registry, res));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
