// A real Alertmanager on loopback with a routing config whose webhook receiver is the bot; alerts pushed as Prometheus does.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ensureGoTool } from './go-tools.js';
import { waitFor } from './wait-for.js';

export interface AlertmanagerOptions {
  /** The bot's receiver, e.g. http://127.0.0.1:PORT/alerts/alertmanager. */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer <token>` (http_config.authorization), or nothing when null. */
  token: string | null;
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  maxAlerts?: number;
}

export interface PushedAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  /** In the past: the alert is resolved. Absent: Alertmanager keeps it firing for resolve_timeout. */
  endsAt?: string;
  generatorURL?: string;
}

export interface RunningAlertmanager {
  url: string;
  /** POST /api/v2/alerts, exactly as Prometheus sends alerts. */
  push(alerts: PushedAlert[]): Promise<void>;
  /** A metric of Alertmanager's own /metrics, summed over the label sets matching `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
  log(): string;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

export async function startAlertmanager(opts: AlertmanagerOptions): Promise<RunningAlertmanager> {
  const bin = await ensureGoTool('alertmanager');
  const dir = mkdtempSync(join(tmpdir(), 'alertmanager-'));
  const config = {
    route: {
      receiver: 'kube-autofix',
      group_by: opts.groupBy ?? ['namespace', 'alertname'],
      group_wait: opts.groupWait ?? '1s',
      group_interval: opts.groupInterval ?? '2s',
      repeat_interval: opts.repeatInterval ?? '1h',
    },
    receivers: [
      {
        name: 'kube-autofix',
        webhook_configs: [
          {
            url: opts.webhookUrl,
            send_resolved: true,
            max_alerts: opts.maxAlerts ?? 0,
            ...(opts.token
              ? { http_config: { authorization: { type: 'Bearer', credentials: opts.token } } }
              : {}),
          },
        ],
      },
    ],
  };
  writeFileSync(join(dir, 'alertmanager.yml'), stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const proc: ChildProcess = spawn(
    bin,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${url}`,
      // A single instance: no gossip port, no peers to wait for before notifying.
      '--cluster.listen-address=',
      '--log.level=debug',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`alertmanager exited: ${output.slice(-2000)}`);
      return (await fetch(`${url}/-/ready`).catch(() => null))?.ok;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: 'Alertmanager ready' },
  );
  return {
    url,
    async push(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!res.ok) throw new Error(`POST /api/v2/alerts answered ${res.status}: ${await res.text()}`);
    },
    async metric(name, labels = {}) {
      const text = await (await fetch(`${url}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
        if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
          sum += Number(line.split(' ').pop());
      }
      return sum;
    },
    async stop() {
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}
