// Fault test: the connection to kube-apiserver is cut mid-rollout (a loopback TCP proxy between the CLI and the
// shared apiserver, cut then restored): the apply reports the rollout correctly and patches exactly once.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOomLoop, type Kube, useNamespace } from './support/kube.js';
import { runCli } from './support/run-cli.js';
import { waitFor } from './support/wait-for.js';

const OUTAGE_MS = 4000;

let k: Kube;
let ns: string;
let proxy: Server;
let kubeconfig: string;
let down = false;
const sockets = new Set<Socket>();
const figures = { cutConnections: 0, refusedWhileDown: 0 };

/** Passes TLS through untouched to the apiserver; `cut` drops every connection and refuses new ones. */
async function startProxy(host: string, port: number): Promise<number> {
  proxy = createServer((client) => {
    if (down) {
      figures.refusedWhileDown += 1;
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return (proxy.address() as { port: number }).port;
}

function cut(): void {
  down = true;
  figures.cutConnections = sockets.size;
  for (const s of sockets) s.destroy();
}

useNamespace('cut', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  await createOomLoop(k, ns);
  const original = readFileSync(String(process.env.KUBECONFIG), 'utf8');
  const server = /server:\s*https:\/\/([^:\s]+):(\d+)/.exec(original)!;
  const port = await startProxy(server[1]!, Number(server[2]));
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'autofix-cut-')), 'kubeconfig');
  writeFileSync(kubeconfig, original.replace(server[0], `server: https://127.0.0.1:${port}`));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => proxy.close(() => r()));
});

describe('apiserver connection cut mid-rollout', () => {
  it('reports the rollout and patches once', async () => {
    const before = (await k.apps.readNamespacedDeployment({ name: 'oom', namespace: ns })).metadata!
      .generation!;
    const running = runCli(
      'fix',
      'deployment/oom',
      { namespace: ns, yes: true },
      { AUTOFIX_NAMESPACES: ns, KUBECONFIG: kubeconfig, AUTOFIX_ROLLOUT_TIMEOUT: '120s' },
    );
    // The patch has landed (read directly, not through the proxy): cut while the rollout is watched.
    await waitFor(
      async () =>
        ((await k.apps.readNamespacedDeployment({ name: 'oom', namespace: ns })).metadata?.generation ?? 0) >
        before,
      { what: 'the fix to be applied', timeoutMs: 60_000 },
    );
    cut();
    await new Promise((r) => setTimeout(r, OUTAGE_MS)); // the outage itself, not a wait for a condition
    down = false;
    const r = await running;
    const after = (await k.apps.readNamespacedDeployment({ name: 'oom', namespace: ns })).metadata!
      .generation!;
    console.log(
      `apiserver cut: ${figures.cutConnections} connection(s) cut for ${OUTAGE_MS} ms, ${figures.refusedWhileDown} refused while down; ` +
        `outcome ${r.json.outcome}, generation ${before} → ${after}`,
    );
    expect(after).toBe(before + 1);
    expect(r.json.apply).toMatchObject({ applied: true, rolloutHealthy: true });
    expect(r.json.outcome).toBe('fixed');
  });
});
