// A real Alertmanager on loopback with a routing config whose webhook receiver is the bot; alerts pushed as Prometheus does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ensureGoTool } from './go-tools.js';
import { freePort, startTool, sumMetric } from './tool-process.js';

export { freePort };

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
  const tool = await startTool(
    'alertmanager',
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
    `${url}/-/ready`,
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
      return sumMetric(await (await fetch(`${url}/metrics`)).text(), name, labels);
    },
    async stop() {
      await tool.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => tool.log(),
  };
}
