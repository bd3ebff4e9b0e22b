// The demo's alerting: kube-state-metrics and Prometheus with the upstream rules, and Alertmanager calling the bot.
import { startAlertmanager, type RunningAlertmanager } from '../../sandbox/monitoring/alertmanager.js';
import { cachedTool, ensureGoTool, type GoTool } from '../../sandbox/monitoring/go-tools.js';
import { startMonitoring, type RunningMonitoring } from '../../sandbox/monitoring/prometheus.js';
import { existsSync } from 'node:fs';

export interface DemoAlerting {
  stop(): Promise<void>;
}

export async function startDemoAlerting(opts: {
  /** The bot's Slack events URL; the receiver is beside it. */
  botUrl: string;
  token: string;
  kubeconfig: string;
  namespace: string;
  say: (line: string) => void;
}): Promise<DemoAlerting> {
  for (const tool of ['alertmanager', 'kube-state-metrics', 'prometheus'] as GoTool[]) {
    if (!existsSync(cachedTool(tool)))
      opts.say(
        `building ${tool} from its Go module (the first time only; cached under ~/.cache/kube-autofix)`,
      );
    await ensureGoTool(tool);
  }
  const webhookUrl = new URL('/alerts/alertmanager', opts.botUrl).href;
  let am: RunningAlertmanager | null = null;
  let mon: RunningMonitoring | null = null;
  try {
    am = await startAlertmanager({ webhookUrl, token: opts.token });
    mon = await startMonitoring({
      kubeconfig: opts.kubeconfig,
      namespaces: [opts.namespace],
      alertmanagerUrl: am.url,
    });
  } catch (e) {
    await am?.stop();
    throw e;
  }
  opts.say(
    `alerting: Prometheus ${mon.prometheusUrl} (kube-prometheus rules), Alertmanager ${am.url} → kube-autofix`,
  );
  const started = { am, mon };
  return {
    async stop() {
      await started.mon.stop();
      await started.am.stop();
    },
  };
}
