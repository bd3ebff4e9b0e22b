import { describe, expect, it } from 'vitest';
import { cleanText, incidentKey, planAlerts } from '../../../../src/bot/alerts/alert-plan.js';
import { AlertmanagerPayload } from '../../../../src/bot/alerts/alertmanager-payload.js';
import type { AlertsConfig } from '../../../../src/config/config.js';
import { RULE_LABELS, amAlert, amPayload } from '../../../fixtures/alertmanager.js';

const config: AlertsConfig = {
  token: 'x'.repeat(16),
  routes: { shop: 'C0SHOP', '*': 'C0OPS' },
  cooldownSeconds: 60,
  maxPerMinute: 10,
};
const plan = (alerts: ReturnType<typeof amAlert>[]) =>
  planAlerts(AlertmanagerPayload.parse(amPayload(alerts)), config, ['shop', 'pay'], 'default');

describe('planAlerts', () => {
  it('routes by namespace, else to the default channel', () => {
    const p = plan([
      amAlert(RULE_LABELS.KubeDeploymentReplicasMismatch('shop', 'web')),
      amAlert(RULE_LABELS.KubeDeploymentReplicasMismatch('pay', 'api')),
    ]);
    expect(p.items.map((i) => i.kind === 'alert' && i.channel)).toEqual(['C0SHOP', 'C0OPS']);
    expect(p.defaultChannel).toBe('C0OPS');
  });

  it('puts the pods of one workload, and the workload itself, in one incident', () => {
    const p = plan([
      amAlert(RULE_LABELS.KubePodCrashLooping('shop', 'web-7d4b9c8f6-x2k9p')),
      amAlert(RULE_LABELS.KubePodCrashLooping('shop', 'web-7d4b9c8f6-q8rzt')),
      amAlert(RULE_LABELS.KubeDeploymentReplicasMismatch('shop', 'web')),
      amAlert(RULE_LABELS.KubeDeploymentReplicasMismatch('shop', 'api')),
    ]);
    const keys = p.items.map((i) => (i.kind === 'alert' ? i.item.incident : null));
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(keys[3]).not.toBe(keys[0]);
  });

  it('keeps clusters apart (the alert’s cluster label)', () => {
    const ref = { kind: 'Deployment' as const, name: 'web', namespace: 'shop' };
    expect(incidentKey(ref, 'eu')).not.toBe(incidentKey(ref, 'us'));
  });

  it('sends each alert to the cluster its `cluster` label names, else the bot’s own (not a label a queue can take)', () => {
    const labels = RULE_LABELS.KubeDeploymentReplicasMismatch('shop', 'web');
    const p = plan([
      amAlert({ ...labels, cluster: 'prod-eu' }),
      amAlert(labels),
      amAlert({ ...labels, cluster: 'Prod EU}' }),
    ]);
    expect(p.items.map((i) => i.kind === 'alert' && i.cluster)).toEqual(['prod-eu', 'default', 'default']);
    const keys = p.items.map((i) => i.kind === 'alert' && i.item.incident);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('refuses namespaces outside the allowlist (said once per group) and never for resolved alerts', () => {
    const p = plan([
      amAlert(RULE_LABELS.KubePodCrashLooping('kube-system', 'coredns-1')),
      amAlert(RULE_LABELS.KubePodCrashLooping('kube-system', 'coredns-2'), { status: 'resolved' }),
    ]);
    expect(p.items).toHaveLength(1);
    expect(p.items[0]).toMatchObject({ kind: 'refused', namespace: 'kube-system', item: { kind: 'say' } });
    expect(p.skipped).toBe(1);
  });

  it('says once per alert when no workload can be read from its labels', () => {
    const p = plan([amAlert(RULE_LABELS.KubeJobFailed('shop', 'nightly'))]);
    expect(p.items[0]).toMatchObject({ kind: 'unresolvable', channel: 'C0SHOP', alertname: 'KubeJobFailed' });
  });

  it('quotes the alert’s facts with control and format characters taken out', () => {
    const a = amAlert(
      { ...RULE_LABELS.KubePodCrashLooping('shop', 'web-1'), alertname: 'Crash\u0007\u202eLoop' },
      { annotations: { summary: 'line\u0000one\nline two', description: 'x'.repeat(5000) } },
    );
    const p = plan([a]);
    const facts = p.items[0]!.kind === 'alert' ? p.items[0]!.item.create.facts : null;
    expect(facts?.alertname).toBe('Crash  Loop');
    expect(facts?.summary).toBe('line one\nline two');
    expect(facts?.description).toHaveLength(2000);
  });
});

describe('planAlerts, what alerts of one webhook share', () => {
  const payload = (alerts: ReturnType<typeof amAlert>[], common: Record<string, string>) =>
    AlertmanagerPayload.parse({
      ...amPayload(alerts),
      commonAnnotations: common,
      groupKey: 'g\u0000key',
      externalURL: ' http://am:9093 ',
    });

  it('takes an alert’s own annotation before the group’s common one, the common one when it has none', () => {
    const p = planAlerts(
      payload(
        [
          amAlert(RULE_LABELS.KubePodCrashLooping('shop', 'web-1'), {
            annotations: { summary: 'own summary' },
          }),
          amAlert(RULE_LABELS.KubePodCrashLooping('shop', 'api-1'), { annotations: {} }),
        ],
        { summary: 'common summary', description: 'common description' },
      ),
      config,
      ['shop'],
      'default',
    );
    const facts = p.items.map((i) => (i.kind === 'alert' ? i.item.create.facts : null));
    expect(facts.map((f) => f?.summary)).toEqual(['own summary', 'common summary']);
    expect(facts.map((f) => f?.description)).toEqual(['common description', 'common description']);
    // The group's fields, cleaned, on every alert's facts.
    expect(facts.map((f) => [f?.groupKey, f?.externalURL])).toEqual([
      ['g key', 'http://am:9093'],
      ['g key', 'http://am:9093'],
    ]);
  });

  it('gives every alert its own 16-hex-digit incident id', () => {
    const alerts = Array.from({ length: 300 }, (_, i) =>
      amAlert(RULE_LABELS.KubePodCrashLooping('shop', `web-${i}`)),
    );
    const ids = plan(alerts).items.map((i) => (i.kind === 'alert' ? i.item.create.id : ''));
    expect(ids.every((id) => /^[0-9a-f]{16}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(300);
  });
});

describe('cleanText', () => {
  it('drops empty text and bounds the rest', () => {
    expect(cleanText(undefined, 5)).toBeNull();
    expect(cleanText(' \u200b ', 5)).toBeNull();
    expect(cleanText('abcdefgh', 5)).toBe('abcd…');
  });

  it('leaves text without hidden characters as it is, and keeps new lines and tabs in text with some', () => {
    expect(cleanText('web is down', 100)).toBe('web is down');
    expect(cleanText('a\u202eb\tc\nd\u0007', 100)).toBe('a b\tc\nd');
  });
});
