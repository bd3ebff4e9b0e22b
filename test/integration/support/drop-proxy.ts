// A TCP proxy to the API server that can drop every connection on demand (a network failure, for real).
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DropProxy {
  /** A copy of the kubeconfig that reaches the API server through the proxy. */
  kubeconfig: string;
  setDropping(on: boolean): void;
  close(): Promise<void>;
}

export async function startDropProxy(kubeconfig: string): Promise<DropProxy> {
  const text = readFileSync(kubeconfig, 'utf8');
  const server = /server:\s*(\S+)/.exec(text)?.[1];
  if (!server) throw new Error(`${kubeconfig} names no server`);
  const upstream = new URL(server);
  const sockets = new Set<Socket>();
  let dropping = false;
  const proxy = createServer((client) => {
    if (dropping) return void client.destroy();
    const up = connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        up.destroy();
      });
    }
    client.pipe(up).pipe(client);
  });
  await new Promise<void>((r) => proxy.listen(0, upstream.hostname, r));
  const port = (proxy.address() as { port: number }).port;
  const file = join(tmpdir(), `drop-proxy-${port}.kubeconfig`);
  writeFileSync(file, text.replace(server, `${upstream.protocol}//${upstream.hostname}:${port}`), {
    mode: 0o600,
  });
  return {
    kubeconfig: file,
    setDropping(on) {
      dropping = on;
      if (on) for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        proxy.close(() => r());
      }),
  };
}
