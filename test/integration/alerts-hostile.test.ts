// Bad input at the real bot's receiver (real Redis step): malformed bodies, 5 MB, 1,000 alerts, hostile label text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULE_LABELS, amAlert, amPayload } from '../fixtures/alertmanager.js';
import { startAlertmanager, type RunningAlertmanager } from '../../sandbox/monitoring/alertmanager.js';
import { BUILD_TIMEOUT_MS } from '../../sandbox/monitoring/go-tools.js';
import { useNamespace } from './support/kube.js';
import { startHarness, type Harness } from './support/slack-harness.js';

const TOKEN = 'alerts-hostile-token-0123456789';
const SHOP = 'C0SHOP';
const OPS = 'C0OPS';
const HOSTILE =
  '<!channel> <@U0ADMIN> <https://evil.example|click> *bold* `tick` \u0007bell \u202eevil \n> quote';

let ns = '';
useNamespace('alert-hostile', (_k, name) => (ns = name));

let h: Harness;
let url = '';
/** Each describe has its own bot (its own Redis prefix, so its own minute of investigations). */
function useBot(): void {
  beforeAll(async () => {
    h = await startHarness({
      worker: false,
      env: {
        AUTOFIX_NAMESPACES: ns,
        AUTOFIX_ALERTS_TOKEN: TOKEN,
        AUTOFIX_ALERT_ROUTES: `${ns}=${SHOP},*=${OPS}`,
      },
    });
    url = `http://127.0.0.1:${h.bot!.port}/alerts/alertmanager`;
  });
  afterAll(async () => {
    await h?.close();
  });
}

const post = (body: string) =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body,
  });

/** Every mrkdwn and plain text the stand-in stored, for the unescaped-token check. */
function allText(): string[] {
  const out: string[] = [];
  for (const ch of [SHOP, OPS])
    for (const m of h.slack.messagesIn(ch, null).concat(h.slack.messagesIn(ch)))
      for (const v of m.versions) out.push(v.text, JSON.stringify(v.blocks));
  return out;
}

describe('hostile alert text through a real Alertmanager', () => {
  useBot();
  let am: RunningAlertmanager;
  beforeAll(async () => {
    am = await startAlertmanager({ webhookUrl: url, token: TOKEN });
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await am?.stop();
  });

  it('is shown escaped: no mention, channel ping, link or formatting reaches Slack', async () => {
    const before = h.slack.messagesIn(SHOP, null).length;
    await am.push([
      {
        labels: { ...RULE_LABELS.KubeDaemonSetRolloutStuck(ns, 'agent'), severity: HOSTILE, team: HOSTILE },
        annotations: { summary: HOSTILE, description: HOSTILE },
        generatorURL: 'javascript:alert(1)',
      },
      { labels: { alertname: HOSTILE, namespace: ns, [`odd_label`]: HOSTILE } },
    ]);
    await h.slack.waitFor(
      () => h.slack.messagesIn(SHOP, null).length >= before + 2 || undefined,
      20_000,
      'the posts',
    );
    for (const t of allText()) {
      expect(t).not.toMatch(/<!channel>|<@U0ADMIN>|<https:\/\/evil/);
      // JSON writes a control character as \u0007: look for both forms.
      expect(t.includes('\u0007') || t.includes('\\u0007') || t.includes('\u202e')).toBe(false);
      expect(t).not.toContain('<javascript');
    }
    const parent = h.slack.messagesIn(SHOP, null).find((m) => m.text.includes('daemonset/agent'))!;
    expect(JSON.stringify(parent.blocks)).toContain('&lt;!channel&gt;');
  });
});

describe('bad input at the receiver', () => {
  useBot();
  it('answers each malformed shape with 400 naming the field; nothing queued, nothing posted', async () => {
    const good = amPayload([amAlert(RULE_LABELS.KubeDeploymentReplicasMismatch('x', 'web'))]);
    const cases: Array<[string, string]> = [
      ['not json', '(body)'],
      [JSON.stringify({ ...good, version: 5 }), 'version'],
      [JSON.stringify({ ...good, alerts: [{ ...good.alerts[0], labels: 'web' }] }), 'alerts[0].labels'],
      [
        JSON.stringify({ ...good, alerts: [{ ...good.alerts[0], fingerprint: '<!channel>' }] }),
        'alerts[0].fingerprint',
      ],
      [JSON.stringify({ ...good, alerts: [] }), 'alerts'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { field: string }).field).toBe(field);
    }
    expect(await h.queue.getJobCounts('waiting')).toEqual({ waiting: 0 });
    expect(h.slack.calls('chat.postMessage')).toHaveLength(0);
  });

  it('answers a 5 MB body with 413 and keeps serving', async () => {
    const res = await post(JSON.stringify({ padding: 'x'.repeat(5 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect((await fetch(url.replace('/alerts/alertmanager', '/healthz'))).status).toBe(200);
  });

  it('takes 1,000 alerts in one webhook: 10 threads, one listing per channel for the rest', async () => {
    const alerts = Array.from({ length: 1000 }, (_, i) =>
      amAlert(RULE_LABELS.KubePodCrashLooping(i % 4 === 0 ? 'kube-system' : ns, `app${i}-7d4b9c8f6-x2k9p`)),
    );
    const res = await post(
      JSON.stringify(amPayload(alerts, { groupKey: '{}:{alertname="KubePodCrashLooping"}' })),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'accepted',
      alerts: 1000,
      investigations: 10,
      notInvestigated: 740,
    });
    await h.slack.waitFor(
      () => h.slack.messagesIn(SHOP, null).find((m) => m.text === '740 more alerts not investigated'),
      30_000,
      'the storm listing',
    );
    await h.slack.waitFor(
      () => h.slack.messagesIn(OPS, null).find((m) => m.text.includes('started nothing')),
      30_000,
      'the one refusal',
    );
    await h.slack.waitFor(
      () => h.slack.messagesIn(SHOP, null).length === 11 || undefined,
      30_000,
      '10 threads',
    );
    expect(h.slack.messagesIn(OPS, null)).toHaveLength(1);
  });
});
