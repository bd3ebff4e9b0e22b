// A real Alertmanager (built from its Go module) routes pushed alerts to the bot: one thread per incident with the
// diagnosis and proposal, repeats edit the parent, resolution is told in the thread and on the MLflow run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULE_LABELS } from '../fixtures/alertmanager.js';
import {
  startAlertmanager,
  type PushedAlert,
  type RunningAlertmanager,
} from '../../sandbox/monitoring/alertmanager.js';
import { BUILD_TIMEOUT_MS } from '../../sandbox/monitoring/go-tools.js';
import { buttonsOf, proposalsIn, textOf } from './support/slack-harness.js';
import { runTags, useSlackScene, type SlackScene } from './support/slack-flow.js';
import { waitFor } from './support/wait-for.js';

const TOKEN = 'alerts-it-token-0123456789abcdef';
const SHOP = 'C0SHOP';

let s: SlackScene;
useSlackScene(
  'alerts',
  {
    broken: ['web'],
    harness: (ns) => ({
      worker: true,
      env: { AUTOFIX_ALERTS_TOKEN: TOKEN, AUTOFIX_ALERT_ROUTES: `${ns}=${SHOP},*=C0OPS` },
    }),
  },
  (scene) => (s = scene),
);

let am: RunningAlertmanager;
beforeAll(async () => {
  am = await startAlertmanager({
    webhookUrl: `http://127.0.0.1:${s.h.bot!.port}/alerts/alertmanager`,
    token: TOKEN,
    repeatInterval: '6s',
  });
}, BUILD_TIMEOUT_MS);
afterAll(async () => {
  await am?.stop();
});

const annotations = (ns: string, pod: string) => ({
  description: `Pod ${ns}/${pod} (app) is in waiting state (reason: "CrashLoopBackOff").`,
  summary: 'Pod is crash looping.',
  runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping',
});

let alerts: PushedAlert[] = [];
let parentTs = '';
let runId = '';

const parents = () => s.h.slack.messagesIn(SHOP, null);

describe('alerts through a real Alertmanager', () => {
  it("a broken deployment's alerts open one thread, which gets the diagnosis and a proposal", async () => {
    const pods = (await s.k.core.listNamespacedPod({ namespace: s.ns, labelSelector: 'app=web' })).items;
    const startsAt = new Date().toISOString();
    alerts = [
      ...pods.map((p) => ({
        labels: RULE_LABELS.KubePodCrashLooping(s.ns, p.metadata!.name!),
        annotations: annotations(s.ns, p.metadata!.name!),
        startsAt,
        generatorURL: 'http://prometheus.example:9090/graph?g0.expr=kube_pod_container_status_waiting_reason',
      })),
      {
        labels: RULE_LABELS.KubeDeploymentReplicasMismatch(s.ns, 'web'),
        annotations: { summary: 'Deployment has not matched the expected number of replicas.' },
        startsAt,
      },
    ];
    expect(pods.length).toBeGreaterThanOrEqual(1);
    await am.push(alerts);
    const parent = await s.h.slack.waitFor(() => parents()[0], 20_000, 'the alert thread');
    parentTs = parent.ts;
    const text = textOf(parent.versions[0]);
    expect(text).toMatch(/KubePodCrashLooping|KubeDeploymentReplicasMismatch/);
    expect(text).toContain(`|Alertmanager>`);
    const proposal = await s.h.slack.waitFor(
      () => proposalsIn(s.h, SHOP, parentTs)[0],
      150_000,
      'the proposal',
    );
    expect(buttonsOf(proposal).autofix_approve).toBeTruthy();
    runId = buttonsOf(proposal).autofix_feedback_up ?? '';
    // Both groups (the pods' and the Deployment's) joined the one thread: one parent, one investigation.
    expect(parents()).toHaveLength(1);
    expect(proposalsIn(s.h, SHOP, parentTs)).toHaveLength(1);
    expect(runId).not.toBe('');
    const tags = await runTags(s.h.env.MLFLOW_TRACKING_URI!, runId);
    expect(tags['autofix.trigger']).toBe('alert');
    expect(tags['autofix.alert.name']).toMatch(/KubePodCrashLooping|KubeDeploymentReplicasMismatch/);
    expect(tags['autofix.alert.fingerprint']).toMatch(/^[0-9a-f]{16}$/);
    expect(tags['autofix.alert.group_key']).toContain('namespace=');
    expect(Date.parse(tags['autofix.alert.starts_at']!)).toBe(Date.parse(startsAt));
  });

  it("repeats edit the parent's count, never a second thread or investigation", async () => {
    await waitFor(
      async () =>
        /(\d+) notifications/.exec(textOf(s.h.slack.message(SHOP, parentTs)))?.[1] !== undefined &&
        Number(/(\d+) notifications/.exec(textOf(s.h.slack.message(SHOP, parentTs)))![1]) >= 3,
      { timeoutMs: 40_000, what: 'the parent counting repeated notifications' },
    );
    expect(
      await am.metric('alertmanager_notifications_total', { integration: 'webhook' }),
    ).toBeGreaterThanOrEqual(3);
    expect(parents()).toHaveLength(1);
    expect(proposalsIn(s.h, SHOP, parentTs)).toHaveLength(1);
    const webhooks = await s.h.metrics.registry.getSingleMetricAsString('autofix_alert_webhooks_total');
    expect(webhooks).toMatch(/result="accepted"} [3-9]|result="accepted"} \d\d/);
  });

  it('resolving says so in the thread; the pending proposal keeps its buttons; the run records it', async () => {
    const endsAt = new Date().toISOString();
    await am.push(alerts.map((a) => ({ ...a, endsAt })));
    const note = await s.h.slack.waitFor(
      () => s.h.slack.messagesIn(SHOP, parentTs).find((m) => textOf(m).includes('resolved')),
      30_000,
      'the resolved note',
    );
    expect(textOf(note)).toContain('The alert resolved; this change is still waiting for a decision');
    const proposal = proposalsIn(s.h, SHOP, parentTs)[0]!;
    expect(buttonsOf(proposal.versions[proposal.versions.length - 1]).autofix_approve).toBeTruthy();
    await waitFor(async () => textOf(s.h.slack.message(SHOP, parentTs)).includes('Alert resolved'), {
      timeoutMs: 10_000,
      what: 'the parent saying resolved',
    });
    const tags = await waitFor(
      async () => {
        const t = await runTags(s.h.env.MLFLOW_TRACKING_URI!, runId);
        return t['autofix.alert.resolved_at'] ? t : null;
      },
      { timeoutMs: 20_000, what: 'autofix.alert.resolved_at on the run' },
    );
    expect(Number.isNaN(Date.parse(tags['autofix.alert.resolved_at']!))).toBe(false);
  });
});
