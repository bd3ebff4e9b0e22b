// A real Alertmanager against the bot's limits: the storm bound, the namespace allowlist, a wrong token, Socket Mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULE_LABELS } from '../fixtures/alertmanager.js';
import {
  freePort,
  startAlertmanager,
  type RunningAlertmanager,
} from '../../sandbox/monitoring/alertmanager.js';
import { BUILD_TIMEOUT_MS, ensureGoTool } from '../../sandbox/monitoring/go-tools.js';
import { useNamespace } from './support/kube.js';
import { startHarness, textOf, type Harness } from './support/slack-harness.js';
import { waitFor } from './support/wait-for.js';

const TOKEN = 'alerts-bounds-token-0123456789ab';
const SHOP = 'C0SHOP';
const OPS = 'C0OPS';

let ns = '';
useNamespace('alert-bounds', (_k, name) => (ns = name));

let h: Harness;
const running: RunningAlertmanager[] = [];
beforeAll(async () => {
  await ensureGoTool('alertmanager');
  // The bot alone: threads open and investigations are queued; no worker runs them (the limits are the bot's).
  h = await startHarness({
    worker: false,
    env: {
      AUTOFIX_NAMESPACES: ns,
      AUTOFIX_ALERTS_TOKEN: TOKEN,
      AUTOFIX_ALERT_ROUTES: `${ns}=${SHOP},*=${OPS}`,
      AUTOFIX_ALERT_MAX_PER_MINUTE: '3',
    },
  });
}, BUILD_TIMEOUT_MS);
afterAll(async () => {
  for (const am of running) await am.stop();
  await h?.close();
});

async function alertmanager(token: string | null, repeatInterval = '1h'): Promise<RunningAlertmanager> {
  const am = await startAlertmanager({
    webhookUrl: `http://127.0.0.1:${h.bot!.port}/alerts/alertmanager`,
    token,
    repeatInterval,
  });
  running.push(am);
  return am;
}

const webhookResults = async (result: string): Promise<number> => {
  const text = await h.metrics.registry.getSingleMetricAsString('autofix_alert_webhooks_total');
  return Number(new RegExp(`result="${result}"} (\\d+)`).exec(text)?.[1] ?? 0);
};

describe('the receiver under a real Alertmanager', () => {
  it('a storm of 12 alerts starts 3 investigations and lists the other 9 in one message', async () => {
    const am = await alertmanager(TOKEN);
    await am.push(
      Array.from({ length: 12 }, (_, i) => ({
        labels: RULE_LABELS.KubeDeploymentReplicasMismatch(ns, `app-${i}`),
        annotations: { summary: 'Deployment has not matched the expected number of replicas.' },
      })),
    );
    const storm = await h.slack.waitFor(
      () => h.slack.messagesIn(SHOP, null).find((m) => m.text.includes('not investigated')),
      20_000,
      'the storm listing',
    );
    expect(storm.text).toBe('9 more alerts not investigated');
    expect(textOf(storm)).toContain(`/autofix -n ${ns}`);
    const threads = h.slack.messagesIn(SHOP, null).filter((m) => m.text.startsWith('Alert '));
    expect(threads).toHaveLength(3);
    // The nine are listed, each once, in the one message; nothing else was posted.
    for (let i = 0; i < 12; i++) {
      const listed = textOf(storm).includes(`deployment/app-${i} in ${ns}`);
      const threaded = threads.some((t) => t.text.includes(`deployment/app-${i} in`));
      expect(listed !== threaded).toBe(true);
    }
    expect(h.slack.messagesIn(SHOP, null)).toHaveLength(4);
    const queued = await h.queue.getJobCounts('waiting', 'delayed', 'active');
    expect((queued.waiting ?? 0) + (queued.delayed ?? 0) + (queued.active ?? 0)).toBe(3);
  });

  it('an alert outside AUTOFIX_NAMESPACES starts nothing and is said once per group in the default channel', async () => {
    const am = await alertmanager(TOKEN, '3s');
    await am.push([
      { labels: RULE_LABELS.KubePodCrashLooping('kube-system', 'coredns-5d78c9869d-8xk2p') },
      { labels: RULE_LABELS.KubePodCrashLooping('kube-system', 'coredns-5d78c9869d-q4r7t') },
    ]);
    const refusal = await h.slack.waitFor(
      () => h.slack.messagesIn(OPS, null).find((m) => textOf(m).includes('started nothing')),
      20_000,
      'the refusal',
    );
    expect(textOf(refusal)).toContain('`kube-system`');
    // Alertmanager repeats the group; the bot takes it (200) and says nothing more.
    const before = await am.metric('alertmanager_notifications_total', { integration: 'webhook' });
    await waitFor(
      async () =>
        (await am.metric('alertmanager_notifications_total', { integration: 'webhook' })) >= before + 2,
      { timeoutMs: 30_000, what: 'two more notifications of the refused group' },
    );
    expect(await am.metric('alertmanager_notifications_failed_total', { integration: 'webhook' })).toBe(0);
    expect(h.slack.messagesIn(OPS, null).filter((m) => textOf(m).includes('started nothing'))).toHaveLength(
      1,
    );
    expect(h.slack.messagesIn(SHOP, null).some((m) => m.text.includes('kube-system'))).toBe(false);
  });

  it('a wrong token is refused with 401: nothing posted, nothing queued, Alertmanager counts the failure', async () => {
    const am = await alertmanager('not-the-right-token-0123456789');
    const posted = h.slack.calls('chat.postMessage').length;
    const counts = await h.queue.getJobCounts('waiting', 'delayed', 'active');
    const refused = await webhookResults('unauthorized');
    await am.push([{ labels: RULE_LABELS.KubeDeploymentReplicasMismatch(ns, 'intruder') }]);
    await waitFor(
      async () =>
        (await am.metric('alertmanager_notifications_failed_total', { integration: 'webhook' })) >= 1,
      {
        timeoutMs: 20_000,
        what: 'Alertmanager to record the failed notification',
      },
    );
    expect(await webhookResults('unauthorized')).toBeGreaterThan(refused);
    expect(h.slack.calls('chat.postMessage')).toHaveLength(posted);
    expect(await h.queue.getJobCounts('waiting', 'delayed', 'active')).toEqual(counts);
    expect(am.log()).toMatch(/401/);
  });

  it('no token configured in Alertmanager: 401 too', async () => {
    const am = await alertmanager(null);
    const refused = await webhookResults('unauthorized');
    await am.push([{ labels: RULE_LABELS.KubeDeploymentReplicasMismatch(ns, 'anonymous') }]);
    await waitFor(async () => (await webhookResults('unauthorized')) > refused, {
      timeoutMs: 20_000,
      what: 'the unauthorized webhook',
    });
    expect(h.slack.messagesIn(SHOP, null).some((m) => m.text.includes('anonymous'))).toBe(false);
  });
});

describe('Socket Mode', () => {
  let sh: Harness;
  let am: RunningAlertmanager;
  beforeAll(async () => {
    const port = await freePort();
    sh = await startHarness({
      worker: false,
      socketMode: true,
      botPort: port,
      env: { AUTOFIX_NAMESPACES: ns, AUTOFIX_ALERTS_TOKEN: TOKEN, AUTOFIX_ALERT_ROUTES: `*=${OPS}` },
    });
    am = await startAlertmanager({
      webhookUrl: `http://127.0.0.1:${port}/alerts/alertmanager`,
      token: TOKEN,
    });
  });
  afterAll(async () => {
    await am?.stop();
    await sh?.close();
  });

  it('the receiver listens beside /healthz and opens the thread', async () => {
    await am.push([{ labels: RULE_LABELS.KubeStatefulSetReplicasMismatch(ns, 'db') }]);
    const parent = await sh.slack.waitFor(
      () => sh.slack.messagesIn(OPS, null)[0],
      20_000,
      'the alert thread',
    );
    expect(parent.text).toBe(`Alert KubeStatefulSetReplicasMismatch on statefulset/db in ${ns}`);
  });
});
