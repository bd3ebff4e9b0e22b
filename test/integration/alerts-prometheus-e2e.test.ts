// End to end with nothing posted by hand: a crash-looping Deployment on the sandbox, kube-state-metrics and
// Prometheus (built from their Go modules) with the upstream kube-prometheus rules, a real Alertmanager, and the
// bot's thread with the diagnosis and a proposal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type RunningAlertmanager } from '../../sandbox/monitoring/alertmanager.js';
import { BUILD_TIMEOUT_MS, ensureGoTool } from '../../sandbox/monitoring/go-tools.js';
import { createOomLoop } from './support/kube.js';
import { startMonitoring, type RunningMonitoring } from '../../sandbox/monitoring/prometheus.js';
import { buttonsOf, proposalsIn, textOf } from './support/slack-harness.js';
import { runTags, useSlackScene, type SlackScene } from './support/slack-flow.js';
import { waitFor } from './support/wait-for.js';

const TOKEN = 'alerts-e2e-token-0123456789abcdef';
const SHOP = 'C0SHOP';

// Built before the scene starts (a cold build takes minutes); cached afterwards.
beforeAll(async () => {
  for (const tool of ['alertmanager', 'kube-state-metrics', 'prometheus'] as const) await ensureGoTool(tool);
}, BUILD_TIMEOUT_MS);

let s: SlackScene;
useSlackScene(
  'alerts-e2e',
  {
    broken: [],
    prepare: (k, ns) => createOomLoop(k, ns),
    harness: (ns) => ({
      worker: true,
      env: { AUTOFIX_ALERTS_TOKEN: TOKEN, AUTOFIX_ALERT_ROUTES: `${ns}=${SHOP},*=C0OPS` },
    }),
  },
  (scene) => (s = scene),
);

let am: RunningAlertmanager;
let mon: RunningMonitoring;
beforeAll(async () => {
  am = await startAlertmanager({
    webhookUrl: `http://127.0.0.1:${s.h.bot!.port}/alerts/alertmanager`,
    token: TOKEN,
  });
  mon = await startMonitoring({
    kubeconfig: s.h.env.KUBECONFIG!,
    namespaces: [s.ns],
    alertmanagerUrl: am.url,
  });
});
afterAll(async () => {
  await mon?.stop();
  await am?.stop();
});

describe('Prometheus → Alertmanager → kube-autofix', () => {
  it('a real KubePodCrashLooping reaches a thread with the diagnosis and a proposal, no test posting an alert', async () => {
    const firing = await waitFor(
      async () =>
        (await mon.alerts()).find(
          (a) =>
            a.labels.alertname === 'KubePodCrashLooping' &&
            a.labels.namespace === s.ns &&
            a.state === 'firing',
        ),
      { timeoutMs: 120_000, what: 'Prometheus firing KubePodCrashLooping' },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${mon.log().slice(-3000)}`);
    });
    expect(firing.labels).toMatchObject({
      job: 'kube-state-metrics',
      reason: 'CrashLoopBackOff',
      container: 'app',
    });
    expect(firing.labels.pod).toMatch(/^oom-/);
    const parent = await s.h.slack.waitFor(
      () => s.h.slack.messagesIn(SHOP, null)[0],
      60_000,
      'the alert thread',
    );
    await waitFor(async () => textOf(s.h.slack.message(SHOP, parent.ts)).includes('KubePodCrashLooping'), {
      timeoutMs: 60_000,
      what: 'KubePodCrashLooping in the thread parent',
    });
    const proposal = await s.h.slack.waitFor(
      () => proposalsIn(s.h, SHOP, parent.ts)[0],
      150_000,
      'the proposal',
    );
    expect(textOf(proposal)).toMatch(/memory/i);
    // Every rule that fired for the deployment's pod joined the one thread.
    expect(s.h.slack.messagesIn(SHOP, null)).toHaveLength(1);
    const tags = await runTags(s.h.env.MLFLOW_TRACKING_URI!, buttonsOf(proposal).autofix_feedback_up!);
    expect(tags['autofix.trigger']).toBe('alert');
    expect(tags['autofix.alert.group_key']).toContain(s.ns);
  });
});
