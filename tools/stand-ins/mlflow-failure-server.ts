// A local HTTP server that fails the way an MLflow server can (error JSON, 401, 500, slowness): failure modes only.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface StandInAnswer {
  status: number;
  /** An object is sent as JSON; MLflow's errors look like `{"error_code": "...", "message": "..."}`. */
  body?: object | string;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow server). */
  delayMs?: number;
}

export interface MlflowFailureServer {
  url: string;
  requests: StandInRequest[];
  close(): Promise<void>;
}

export const mlflowError = (status: number, errorCode: string, message = errorCode): StandInAnswer => ({
  status,
  body: { error_code: errorCode, message },
});

export async function startMlflowFailureServer(
  answer: (req: StandInRequest, n: number) => StandInAnswer,
): Promise<MlflowFailureServer> {
  const requests: StandInRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: StandInRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(r);
      const a = answer(r, requests.length);
      const send = (): void => {
        const body = typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? {});
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(body);
      };
      if (!a.delayMs) return send();
      const t = setTimeout(() => {
        timers.delete(t);
        send();
      }, a.delayMs);
      timers.add(t);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on which nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
