// A real Redis Cluster on loopback: three masters from the same `redis-server`, the 16384 slots split between
// them, joined with CLUSTER MEET; for proving the queues on Redis Cluster without touching the sandbox's Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from '../../test/integration/support/wait-for.js';
import { freePort } from './redis-server.js';

export interface OwnRedisCluster {
  /** Every master's URL, comma-separated: REDIS_URL with REDIS_MODE=cluster. */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

const SLOTS = 16384;

function client(port: number): Redis {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => null });
  r.on('error', () => undefined);
  return r;
}

async function clusterInfo(port: number): Promise<Record<string, string>> {
  const r = client(port);
  try {
    const text = String(await r.call('CLUSTER', 'INFO'));
    return Object.fromEntries(
      text
        .split(/\r?\n/)
        .filter((l) => l.includes(':'))
        .map((l) => l.split(':', 2) as [string, string]),
    );
  } catch {
    return {};
  } finally {
    r.disconnect();
  }
}

export async function startOwnRedisCluster(masters = 3): Promise<OwnRedisCluster> {
  const root = mkdtempSync(join(tmpdir(), 'autofix-redis-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < masters; i++) ports.push(await freePort());
  const procs: ChildProcess[] = ports.map((port) => {
    const dir = join(root, String(port));
    mkdirSync(dir);
    return spawn(
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '2000',
        '--appendonly',
        'yes',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
  });
  const stop = async (): Promise<void> => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((r) => {
            if (p.exitCode !== null || p.signalCode !== null) return r();
            p.once('exit', () => r());
            p.kill('SIGKILL');
          }),
      ),
    );
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const port of ports)
      await waitFor(async () => (await clusterInfo(port)).cluster_state !== undefined, {
        what: `redis-server (cluster mode) on ${port}`,
        timeoutMs: 15_000,
        intervalMs: 100,
      });
    // Contiguous slot ranges, one per master, then every node meets the first.
    const per = Math.ceil(SLOTS / masters);
    for (let i = 0; i < masters; i++) {
      const r = client(ports[i]!);
      await r.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(SLOTS, (i + 1) * per) - 1));
      if (i > 0) await r.call('CLUSTER', 'MEET', '127.0.0.1', String(ports[0]));
      r.disconnect();
    }
    for (const port of ports)
      await waitFor(
        async () => {
          const info = await clusterInfo(port);
          return info.cluster_state === 'ok' && info.cluster_known_nodes === String(masters);
        },
        { what: `the Redis Cluster to agree (node ${port})`, timeoutMs: 30_000, intervalMs: 200 },
      );
  } catch (e) {
    await stop();
    throw e;
  }
  return { url: ports.map((p) => `redis://127.0.0.1:${p}`).join(','), ports, stop };
}
