// The alert thread's messages with hostile alert text: escaped, no mention, no link or mrkdwn from a label.
import { describe, expect, it } from 'vitest';
import {
  buildAlertParentMessage,
  type AlertParentInput,
} from '../../../../src/slack/blocks/alert-parent-message.js';
import {
  buildAlertRefusedMessage,
  buildAlertResolvedMessage,
  buildAlertStormMessage,
  buildAlertUnresolvableMessage,
} from '../../../../src/slack/blocks/alert-notes-message.js';
import type { SlackMessage } from '../../../../src/slack/slack-poster.js';

const HOSTILE =
  '<!channel> <@U0ADMIN> <https://evil.example|click here> *bold* _it_ ~s~ `code` &amp; <#C0OPS>';

const input = (over: Partial<AlertParentInput['alert']> = {}): AlertParentInput => ({
  ref: { kind: 'Pod', name: 'web-7d4b9c8f6-x2k9p', namespace: 'shop' },
  alert: {
    alertname: 'KubePodCrashLooping',
    severity: 'warning',
    summary: 'Pod is crash looping.',
    description: 'Pod shop/web (app) is in waiting state (reason: "CrashLoopBackOff").',
    startsAt: '2026-12-07T03:00:00.000Z',
    generatorURL: 'http://prometheus.monitoring:9090/graph?g0.expr=up',
    externalURL: 'http://alertmanager.monitoring:9093',
    ...over,
  },
  alertnames: ['KubePodCrashLooping'],
  firing: 2,
  notifications: 3,
  lastSeen: Date.parse('2026-12-07T03:20:00Z'),
  resolvedAt: null,
});

/** Every piece of text Slack would render, with its kind (mrkdwn or plain_text). */
function texts(m: SlackMessage): Array<{ type: string; text: string }> {
  const out: Array<{ type: string; text: string }> = [{ type: 'mrkdwn', text: m.text }];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.text === 'string' && typeof o.type === 'string') out.push({ type: o.type, text: o.text });
    Object.values(o).forEach(walk);
  };
  walk(m.blocks);
  return out;
}

/** `<…>` tokens in mrkdwn are ours alone: dates and the links we built. */
function ownTokensOnly(m: SlackMessage, allowed: RegExp): void {
  for (const t of texts(m)) {
    for (const token of t.text.match(/<[^>]*>/g) ?? []) expect(token).toMatch(allowed);
    expect(t.text).not.toMatch(/<!channel>|<@U0ADMIN>|<#C0OPS>/);
  }
}

describe('the alert parent', () => {
  it('quotes the alert: name, severity, summary and description, start, source and Alertmanager', () => {
    const m = buildAlertParentMessage(input());
    const all = texts(m)
      .map((t) => t.text)
      .join('\n');
    expect(all).toContain('`KubePodCrashLooping` (`warning`)');
    expect(all).toContain('Pod is crash looping.');
    expect(all).toContain('CrashLoopBackOff');
    expect(all).toContain('<!date^1796612400^');
    expect(all).toContain('<http://prometheus.monitoring:9090/graph?g0.expr=up|Source>');
    expect(all).toContain('<http://alertmanager.monitoring:9093/|Alertmanager>');
    expect(all).toContain('2 alerts firing · 3 notifications');
    expect(m.text).toBe('Alert KubePodCrashLooping on pod/web-7d4b9c8f6-x2k9p in shop');
  });

  it('says when it resolved', () => {
    const m = buildAlertParentMessage({ ...input(), resolvedAt: '2026-12-07T04:00:00Z' });
    expect(texts(m)[1]!.text).toContain('Alert resolved');
    expect(JSON.stringify(m.blocks)).toContain('Resolved <!date^');
  });

  it('shows hostile alert text as text: no mention, no channel ping, no link, no mrkdwn', () => {
    const m = buildAlertParentMessage(
      input({
        alertname: HOSTILE,
        severity: HOSTILE,
        summary: HOSTILE,
        description: HOSTILE,
        generatorURL: 'javascript:alert(1)',
        externalURL: HOSTILE,
      }),
    );
    ownTokensOnly(m, /^<!date\^\d+\^[^|]*\|[^>]*>$/);
    const quoted = texts(m).find((t) => t.type === 'plain_text');
    expect(quoted?.text).toContain('&lt;!channel&gt;');
    // The name and severity are inline code: mrkdwn inside cannot format, and no backtick closes it early.
    expect(texts(m)[1]!.text).toMatch(/^:rotating_light: \*Alert\* `&lt;!channel&gt;[^`]*` \(`[^`]*`\) on /);
    expect(JSON.stringify(m.blocks)).toContain('javascript:alert(1)');
    expect(JSON.stringify(m.blocks)).not.toContain('<javascript');
  });
});

describe('the alert notes', () => {
  it('keep hostile names escaped in every note', () => {
    const ref = { kind: 'Deployment' as const, name: 'web', namespace: 'shop' };
    for (const m of [
      buildAlertResolvedMessage({
        alertname: HOSTILE,
        resolvedAt: '2026-12-07T04:00:00Z',
        pendingProposal: { link: null },
      }),
      buildAlertStormMessage({ total: 3, items: [{ ref, alertname: HOSTILE }], maxPerMinute: 10 }),
      buildAlertUnresolvableMessage({ total: 1, items: [{ alertname: HOSTILE, why: HOSTILE }] }),
      buildAlertRefusedMessage({ namespaces: [HOSTILE], allowed: ['shop'] }),
    ])
      ownTokensOnly(m, /^<!date\^\d+\^[^|]*\|[^>]*>$/);
  });

  it('tell a pending proposal it still waits for a decision', () => {
    const m = buildAlertResolvedMessage({
      alertname: 'X',
      resolvedAt: '2026-12-07T04:00:00Z',
      pendingProposal: { link: 'https://slack.example/p' },
    });
    expect(JSON.stringify(m.blocks)).toContain(
      'The alert resolved; this change is still waiting for a decision',
    );
  });

  it('list a storm in one message with the count and the triage command', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({
      ref: { kind: 'Deployment' as const, name: `app${i}`, namespace: 'shop' },
      alertname: 'KubePodCrashLooping',
    }));
    const m = buildAlertStormMessage({ total: 140, items, maxPerMinute: 10 });
    const all = JSON.stringify(m.blocks);
    expect(all).toContain('140 more alerts not investigated');
    expect(all).toContain('… and 115 more');
    expect(all).toContain('`/autofix -n shop` to triage');
  });
});
