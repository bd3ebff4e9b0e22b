// kube-state-metrics watching the sandbox and Prometheus scraping it with the upstream kube-prometheus rules,
// alerting to a real Alertmanager: how alerts reach kube-autofix in a cluster, nothing posted by hand.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { ensureGoTool } from './go-tools.js';
import { freePort, startTool, type ToolProcess } from './tool-process.js';

export const UPSTREAM_RULES = resolve(import.meta.dirname, 'kubernetes-apps.rules.yaml');

export interface RunningMonitoring {
  prometheusUrl: string;
  /** Prometheus' view of its alerts (GET /api/v1/alerts). */
  alerts(): Promise<Array<{ labels: Record<string, string>; state: string }>>;
  log(): string;
  stop(): Promise<void>;
}

const RuleFile = z.object({
  groups: z.array(z.object({ name: z.string(), rules: z.array(z.record(z.string(), z.unknown())) })),
});

/** The upstream rules with each `for` shortened (the expressions, labels and annotations stay as they are). */
export function shortenedRules(forDuration: string): string {
  const rules = RuleFile.parse(parse(readFileSync(UPSTREAM_RULES, 'utf8')));
  for (const g of rules.groups) for (const r of g.rules) if ('for' in r) r.for = forDuration;
  return stringify(rules);
}

export async function startMonitoring(opts: {
  kubeconfig: string;
  /** kube-state-metrics watches only these (it is one process per test, not the cluster's). */
  namespaces: string[];
  alertmanagerUrl: string;
  forDuration?: string;
}): Promise<RunningMonitoring> {
  const [ksmBin, promBin] = [await ensureGoTool('kube-state-metrics'), await ensureGoTool('prometheus')];
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  const [ksmPort, ksmTelemetry, promPort] = [await freePort(), await freePort(), await freePort()];
  const started: ToolProcess[] = [];
  try {
    started.push(
      await startTool(
        'kube-state-metrics',
        ksmBin,
        [
          `--kubeconfig=${opts.kubeconfig}`,
          `--namespaces=${opts.namespaces.join(',')}`,
          '--resources=pods,deployments,replicasets,statefulsets,daemonsets',
          '--host=127.0.0.1',
          `--port=${ksmPort}`,
          '--telemetry-host=127.0.0.1',
          `--telemetry-port=${ksmTelemetry}`,
        ],
        `http://127.0.0.1:${ksmPort}/healthz`,
      ),
    );
    writeFileSync(join(dir, 'rules.yaml'), shortenedRules(opts.forDuration ?? '5s'));
    const config = {
      global: { scrape_interval: '2s', evaluation_interval: '2s' },
      rule_files: [join(dir, 'rules.yaml')],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(opts.alertmanagerUrl).host] }] }] },
      scrape_configs: [
        {
          // The job name the upstream rules select on (job="kube-state-metrics"); its own labels win (honor_labels).
          job_name: 'kube-state-metrics',
          honor_labels: true,
          static_configs: [{ targets: [`127.0.0.1:${ksmPort}`] }],
        },
      ],
    };
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const url = `http://127.0.0.1:${promPort}`;
    started.push(
      await startTool(
        'prometheus',
        promBin,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          `--web.external-url=${url}`,
        ],
        `${url}/-/ready`,
      ),
    );
    return {
      prometheusUrl: url,
      async alerts() {
        const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as {
          data: { alerts: Array<{ labels: Record<string, string>; state: string }> };
        };
        return body.data.alerts;
      },
      log: () => started.map((t) => t.log()).join('\n'),
      async stop() {
        for (const t of started.reverse()) await t.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const t of started.reverse()) await t.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
